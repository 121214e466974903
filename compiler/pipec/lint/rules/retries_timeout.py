"""W111 no-retries-in-production and W112 missing-timeout: per task, where the value comes from."""

from __future__ import annotations

from collections import defaultdict

from pipec.diagnostics import Label, Sink
from pipec.ir import model as ir
from pipec.lint.context import LintContext

CODES = ("W111", "W112")


def check(ctx: LintContext, sink: Sink) -> None:
    _retries(ctx, sink)
    _timeouts(ctx, sink)


def _retries(ctx: LintContext, sink: Sink) -> None:
    kubernetes = set(ctx.kubernetes_envs)
    for env, dag in ctx.env_dags():
        if env in kubernetes:
            ctx.memo(ctx.dag_key("W111", dag), sink, lambda out: _dag_retries(ctx, env, dag, out))


def _dag_retries(ctx: LintContext, env: str, dag: ir.Dag, sink: Sink) -> None:
    pipe = ctx.defs.pipelines[dag.pipeline]
    defaulted = []
    for task in dag.tasks:
        if task.retries != 0:
            continue
        td = ctx.task_def(dag.pipeline, task.name)
        span = ctx.setting_span(pipe, td, env, "retries")
        if span is None:
            defaulted.append(task.name)
        elif ctx.is_user(span):
            sink.emit("W111", f"`retries = 0` in kubernetes environment `{env}`", span,
                      label="never retried", help="retry transient failures: use e.g. `retries = 2`")
    if defaulted:
        sink.emit("W111", f"tasks of pipeline `{pipe.name}` are never retried in kubernetes environment `{env}`",
                  pipe.decl.name.span, label="`retries` defaults to 0",
                  notes=[f"without retries: {', '.join(sorted(defaulted))}"],
                  help="add e.g. `retries = 2` to the pipeline; evicted pods and network blips then "
                       "do not fail the run")


def _timeouts(ctx: LintContext, sink: Sink) -> None:
    missing: dict[str, set[str]] = defaultdict(set)
    for _, dag in ctx.env_dags():
        missing[dag.pipeline] |= ctx.memo(ctx.dag_key("W112", dag), sink, lambda _: _untimed(dag))
    for name in sorted(missing):
        if not missing[name]:
            continue
        pipe = ctx.defs.pipelines[name]
        if not ctx.is_user(pipe.decl.span):
            continue
        tasks = sorted(missing[name])
        first = ctx.task_def(name, tasks[0])
        sink.emit("W112", f"tasks of pipeline `{name}` run without a `timeout`", pipe.decl.name.span,
                  label="no timeout", secondary=[Label(first.span, "for example this task")],
                  notes=[f"without a timeout: {', '.join(tasks)}"],
                  help="add e.g. `timeout = 2h` to the pipeline (or to the runner or task)")


def _untimed(dag: ir.Dag) -> frozenset[str]:
    return frozenset(task.name for task in dag.tasks if task.timeout_seconds is None)
