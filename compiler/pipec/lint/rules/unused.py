"""W116 unused-runner, W117 unused-profile, W118 unused-secret-slot.

A project without pipelines is a library of declarations (a file of runners or
tenants checked on its own, like the stdlib): nothing in it is reported unused.
"""

from __future__ import annotations

from pipec.diagnostics import Sink
from pipec.ir import model as ir
from pipec.ir.decls import PipelineDef
from pipec.lint.context import LintContext
from pipec.source import Span
from pipec.syntax import nodes as n

CODES = ("W116", "W117", "W118")


def check(ctx: LintContext, sink: Sink) -> None:
    if not ctx.defs.pipelines:
        return
    _runners(ctx, sink)
    _profiles(ctx, sink)
    _slots(ctx, sink)


def _runners(ctx: LintContext, sink: Sink) -> None:
    used: set[Span] = set()
    for pipe in ctx.pipelines():
        used |= ctx.memo(_pipeline_key(ctx, pipe), sink, lambda _: _called(ctx, pipe))
    for span in sorted(ctx.defs.runners):
        runner = ctx.defs.runners[span]
        if span not in used and ctx.is_user(span):
            sink.emit("W116", f"runner `{runner.name}` is never called", runner.decl.name.span,
                      label="no task calls it", help="remove the runner, or call it from a task")


def _pipeline_key(ctx: LintContext, pipe: PipelineDef) -> tuple | None:
    """The runners a pipeline's tasks call follow from its file and what that imports
    (dbt tasks come from a manifest: never kept)."""
    if any(td.module is not None for td in pipe.tasks):
        return None
    key = ctx.module_key("W116", pipe.module)
    return key and (key, pipe.decl.span, len(pipe.tasks))


def _called(ctx: LintContext, pipe: PipelineDef) -> frozenset[Span]:
    return frozenset(runner.decl.span for td in pipe.tasks if (runner := ctx.runner_of(pipe, td)) is not None)


def _profiles(ctx: LintContext, sink: Sink) -> None:
    used: set[Span] = set()
    for mod in ctx.program.modules:
        used |= ctx.memo(ctx.module_key("W117", mod), sink, lambda _: _profiles_named(ctx, mod))
    for runner in ctx.defs.runners.values():
        if "profile" not in runner.fields:  # the implicit default
            sym, _ = runner.module.lookup(("small",))
            if sym is not None:
                used.add(sym.decl.span)
    for mod in ctx.user_modules:
        for decl in mod.syntax.decls:
            if decl.kind == "profile" and decl.span not in used:
                sink.emit("W117", f"profile `{decl.name.text}` is never used", decl.name.span,
                          label="nothing refers to it",
                          help="remove the profile, or use it: `profile = NAME` in a runner, task or `when` block")


def _profiles_named(ctx: LintContext, mod) -> frozenset[Span]:
    """The profiles a module's names refer to (its scope follows from its text and imports)."""
    used = set()
    for node in ctx.nodes(mod):
        if isinstance(node, n.Ref):
            sym, _ = mod.lookup(tuple(p.text for p in node.parts))
            if sym is not None and sym.kind == "profile":
                used.add(sym.decl.span)
    return frozenset(used)


def _slots(ctx: LintContext, sink: Sink) -> None:
    used: dict[str, set[str]] = {}
    for _, dag in ctx.env_dags():
        used.setdefault(dag.tenant, set()).update(ctx.memo(ctx.dag_key("W118", dag), sink, lambda _: _slots_read(dag)))
    for name in sorted(ctx.defs.tenants):
        tenant = ctx.defs.tenants[name]
        if not ctx.is_user(tenant.decl.span):
            continue
        for slot, (_, _, span) in sorted(tenant.secrets.items()):
            if slot not in used.get(name, set()):
                sink.emit("W118", f"secret slot `{slot}` of tenant `{name}` is never used", span,
                          label="no task of this tenant reads it",
                          help="remove the slot (and the Kubernetes Secret it names), or add the task that needs it")


def _slots_read(dag: ir.Dag) -> frozenset[str]:
    return frozenset(s.slot for t in dag.tasks for s in t.secrets)
