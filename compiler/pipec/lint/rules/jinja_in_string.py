"""W104 jinja-in-string: `{{ ... }}` or `{% ... %}` written in a string reaches the container as text."""

from __future__ import annotations

import re

from pipec.diagnostics import Sink
from pipec.lint.context import LintContext
from pipec.source import Span
from pipec.syntax import nodes as n

CODE = "W104"
_OPEN = re.compile(r"\{\{|\{%|\{#")
_CLOSE = {"{{": "}}", "{%": "%}", "{#": "#}"}
# Airflow template variables and the run value that gives the same text
_RUN_VALUES = {"ds": "run.ds", "logical_date": "run.logical_date", "ts": "run.logical_date",
               "data_interval_start": "run.data_interval_start", "data_interval_end": "run.data_interval_end",
               "run_id": "run.run_id"}


def check(ctx: LintContext, sink: Sink) -> None:
    for mod in ctx.user_modules:
        ctx.memo(ctx.module_key(CODE, mod), sink, lambda out: _module(ctx, mod, out))


def _module(ctx: LintContext, mod, sink: Sink) -> None:
    text = ctx.sources.get(mod.path).text
    for node in ctx.nodes(mod):
        if isinstance(node, n.Str):
            _string(text, node, sink)


def _string(text: str, node: n.Str, sink: Sink) -> None:
    raw = text[node.span.start:node.span.end]
    for m in _OPEN.finditer(raw):
        close = raw.find(_CLOSE[m.group()], m.end())
        end = close + 2 if close != -1 else m.end()
        shown = raw[m.start():end]
        inner = raw[m.end():close].strip() if close != -1 else ""
        span = Span(node.span.path, node.span.start + m.start(), node.span.start + end)
        sink.emit(CODE, f"`{shown}` reaches the container as written, not as a template", span,
                  label="not rendered by Airflow", help=_help(inner))


def _help(inner: str) -> str:
    name = inner.split("|")[0].strip()
    if name in _RUN_VALUES:
        return f"write `${{{_RUN_VALUES[name]}}}`: pipec compiles run values to the matching Airflow template"
    return ("pipec never renders user text as Jinja; runtime values are `${run.ds}`, `${run.logical_date}`, "
            "`${run.run_id}`, ...; if the braces are meant literally, add `# pipec: ignore[W104]`")
