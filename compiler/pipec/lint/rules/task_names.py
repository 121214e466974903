"""W113 task-name-not-snake-case: `a__b`, `a_` (often from a `for` value)."""

from __future__ import annotations

import re

from pipec.diagnostics import Label, Sink
from pipec.lint.context import LintContext

CODE = "W113"
SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def check(ctx: LintContext, sink: Sink) -> None:
    for pipe in ctx.pipelines():
        for td in pipe.tasks:
            if SNAKE.match(td.name) or not ctx.is_user(td.span):
                continue
            values = [Label(v.span, f"`{var}` is {_shown(v)} here") for var, v in sorted(td.bindings.items())
                      if v.span.path == td.span.path]
            sink.emit(CODE, f"task name `{td.name}` is not snake_case", td.span,
                      label=f"is `{td.name}`", secondary=values,
                      help=f"use single `_` between words, none at the end: `{_snake(td.name)}`")


def _shown(val) -> str:
    return f"`{val.data[0]}`" if val.kind == "text" and val.data else "set"


def _snake(name: str) -> str:
    return re.sub(r"_+", "_", name).strip("_") or name
