"""W109 pipeline-without-owner and W110 pipeline-without-failure-alert."""

from __future__ import annotations

from pipec.diagnostics import Sink
from pipec.lint.context import LintContext

CODES = ("W109", "W110")


def check(ctx: LintContext, sink: Sink) -> None:
    for pipe in ctx.pipelines():
        if not ctx.is_user(pipe.decl.span):
            continue
        span = pipe.decl.name.span
        if "owner" not in pipe.read.spans:
            sink.emit("W109", f"pipeline `{pipe.name}` does not set `owner`", span, label="owner is `pipec`",
                      help='add `owner = "TEAM"`: Airflow shows it on the DAG, so on call knows whom to ask')
        if "on_failure" not in pipe.read.spans:
            sink.emit("W110", f"pipeline `{pipe.name}` sets no `on_failure` alert", span,
                      label="failures go unnoticed",
                      help='add `on_failure = email("oncall@example.com")`')
