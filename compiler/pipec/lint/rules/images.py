"""W107 image-tag-latest and W108 image-not-pinned: how a runner's image is named."""

from __future__ import annotations

from pipec.diagnostics import Diagnostic, Label, Sink
from pipec.ir import model as ir
from pipec.lint.context import LintContext

CODES = ("W107", "W108")


def split_image(image: str) -> tuple[str, str | None, str | None]:
    """(repository, tag, digest) of an image reference; tag and digest None when absent."""
    rest, _, digest = image.partition("@")
    last = rest.rsplit("/", 1)[-1]
    tag = last.partition(":")[2] if ":" in last else None
    repo = rest[: len(rest) - len(tag) - 1] if tag is not None else rest
    return repo, tag, digest or None


def check(ctx: LintContext, sink: Sink) -> None:
    seen: set[tuple] = set()
    for env, dag in ctx.env_dags():
        found = ctx.memo(ctx.dag_key("W107-W108", dag), sink, lambda _: _dag(ctx, env, dag))
        for key, diagnostics in found:
            if key not in seen:
                seen.add(key)
                for diag in diagnostics:
                    sink.add(diag)


def _dag(ctx: LintContext, env: str | None, dag: ir.Dag) -> list[tuple[tuple, tuple[Diagnostic, ...]]]:
    """Each runner and image of a DAG's tasks, with the findings of its first task (the first
    DAG of the project that uses an image reports it)."""
    pipe = ctx.defs.pipelines[dag.pipeline]
    out, seen = [], set()
    for task in dag.tasks:
        td = ctx.task_def(dag.pipeline, task.name)
        runner = ctx.runner_of(pipe, td)
        key = (env, runner.decl.span if runner else None, task.image)
        if runner is None or key in seen:
            continue
        seen.add(key)
        own = ctx.is_user(runner.decl.span)
        span = runner.fields["image"].value.span if own else td.call.callee.span
        extra = [] if own else [Label(runner.fields["image"].value.span, "image set here")]
        found = Sink()
        _image(ctx, env, task.image, runner.name, span, extra, found)
        out.append((key, tuple(found.items)))
    return out


def _image(ctx: LintContext, env, image: str, runner: str, span, extra, sink: Sink) -> None:
    _, tag, digest = split_image(image)
    if digest is None and tag in (None, "latest"):
        what = "has no tag" if tag is None else "has the tag `latest`"
        sink.emit("W107", f"image `{image}` of runner `{runner}` {what}", span, label="moves with every push",
                  secondary=extra, help="pin a version tag, e.g. `:1.4.2`, or a digest `@sha256:...`")
    if digest is None and ctx.operator(env) == "kubernetes":
        sink.emit("W108", f"image `{image}` of runner `{runner}` is not pinned by digest in kubernetes "
                  f"environment `{env}`", span, label="a tag can be moved", secondary=extra,
                  help="append the digest the registry reports: `...@sha256:<64 hex digits>`")
