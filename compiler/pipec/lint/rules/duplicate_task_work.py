"""W114 duplicate-task-work: two tasks of a pipeline run the same runner with the same arguments."""

from __future__ import annotations

from pipec.diagnostics import Label, Sink
from pipec.ir import model as ir
from pipec.lint.context import LintContext

CODE = "W114"


def check(ctx: LintContext, sink: Sink) -> None:
    for _, dag in ctx.env_dags():
        ctx.memo(ctx.dag_key(CODE, dag), sink, lambda out: _dag(ctx, dag, out))


def _dag(ctx: LintContext, dag: ir.Dag, sink: Sink) -> None:
    pipe = ctx.defs.pipelines[dag.pipeline]
    first: dict[tuple, str] = {}
    order = {td.name: i for i, td in reversed(list(enumerate(pipe.tasks)))}
    for task in sorted(dag.tasks, key=lambda t: order[t.name]):
        runner = ctx.runner_of(pipe, ctx.task_def(dag.pipeline, task.name))
        key = (runner.decl.span if runner else task.runner, task.image, task.entrypoint, task.args, task.env,
               task.secrets)
        if key not in first:
            first[key] = task.name
            continue
        td, other = ctx.task_def(dag.pipeline, task.name), ctx.task_def(dag.pipeline, first[key])
        if ctx.is_user(td.span):
            sink.emit(CODE, f"task `{task.name}` runs `{task.runner}` with the same arguments as `{first[key]}`",
                      td.call.callee.span, label="same runner, same arguments", secondary=_where(td, other),
                      help="change the arguments (a copied task, or a loop value no argument uses?), "
                           "or remove one of the tasks")


def _where(td, other) -> list[Label]:
    """The first task's call; for two tasks of one `for` template, the loop values that differ."""
    if td.call.span != other.call.span:
        return [Label(other.call.callee.span, f"`{other.name}` runs the same")]
    return [Label(v.span, f"`{var}` differs here but no argument uses it") for var, v in sorted(td.bindings.items())
            if var in other.bindings and other.bindings[var].span != v.span]
