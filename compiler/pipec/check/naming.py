"""Target naming rules: Airflow ids (no `__` in tenant/pipeline names), label lengths."""

from __future__ import annotations

from pipec.diagnostics import Sink
from pipec.ir.decls import Defs

MAX_LABEL = 63
MAX_DAG_ID = 250


def check_names(defs: Defs, sink: Sink) -> None:
    named = [(t.decl, "tenant") for t in defs.tenants.values()] + [(p.decl, "pipeline") for p in defs.pipelines.values()]
    for decl, what in sorted(named, key=lambda d: d[0].span):
        name = decl.name.text
        if "__" in name:
            sink.emit("E602", f"{what} name `{name}` contains `__`", decl.name.span,
                      label="reserved separator",
                      help="`__` separates tenant and pipeline in DAG ids (`<tenant>__<pipeline>`); use a single `_`")
        if len(name) > MAX_LABEL:
            sink.emit("E603", f"{what} name `{name}` is longer than {MAX_LABEL} characters", decl.name.span,
                      help="it becomes a Kubernetes label value; shorten it")
    for pipe in defs.pipelines.values():
        for task in pipe.tasks:
            if len(task.name) > MAX_LABEL:
                sink.emit("E603", f"task name `{task.name}` is longer than {MAX_LABEL} characters", task.span,
                          help="it becomes a Kubernetes label value; shorten it")
        for tenant, span in pipe.tenants:
            if len(f"{tenant}__{pipe.name}") > MAX_DAG_ID:
                sink.emit("E602", f"DAG id `{tenant}__{pipe.name}` is longer than {MAX_DAG_ID} characters", span,
                          help="shorten the tenant or pipeline name")
