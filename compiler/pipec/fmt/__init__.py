"""``pipec fmt``: the canonical layout of .pipe files (rules in ``pipec.fmt.layout``).

``format_source`` never formats a file with syntax errors: it returns their
diagnostics instead. After formatting, the result is parsed again and compared with
the input (syntax tree without spans, and every comment): a difference is a bug in
the formatter and raises, so a file is never rewritten with another meaning.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from pipec.diagnostics import Diagnostic, Sink
from pipec.fmt.layout import layout
from pipec.source import Span
from pipec.syntax.parser import parse_module, raw_tokens

__all__ = ["FormatResult", "FormatterBug", "comments", "format_source", "shape"]


class FormatterBug(AssertionError):
    """The formatted text would mean something else than the input (never expected)."""


@dataclass(frozen=True)
class FormatResult:
    """``text`` is the formatted file, or None when ``diagnostics`` hold syntax errors."""

    text: str | None
    diagnostics: list[Diagnostic]

    @property
    def ok(self) -> bool:
        return self.text is not None


def format_source(path: str, text: str) -> FormatResult:
    """Format one file's ``text``; ``path`` is only used in diagnostics."""
    sink = Sink()
    before = parse_module(path, text, sink)
    if sink.has_errors:
        return FormatResult(None, sink.sorted())
    out = layout(text)
    _verify(path, text, before, out)
    return FormatResult(out, [])


def _verify(path: str, text: str, before, out: str) -> None:
    sink = Sink()
    after = parse_module(path, out, sink)
    if sink.has_errors:
        raise FormatterBug(f"the formatted {path} does not parse: {sink.sorted()[0].message}")
    if shape(after) != shape(before):
        raise FormatterBug(f"formatting {path} would change its syntax tree")
    if comments(out) != comments(text):
        raise FormatterBug(f"formatting {path} would change its comments")


def shape(node):
    """A syntax tree as plain tuples without spans: equal shapes mean equal programs."""
    if isinstance(node, Span):
        return None
    if dataclasses.is_dataclass(node):
        return (type(node).__name__,) + tuple(shape(getattr(node, f.name)) for f in dataclasses.fields(node)
                                              if f.name not in ("span", "keyword"))
    if isinstance(node, (tuple, list)):
        return tuple(shape(x) for x in node)
    return node


def comments(text: str) -> list[str]:
    """Every `#` and `///` comment of a file that lexes, without trailing whitespace."""
    return [value.rstrip() for kind, value in raw_tokens(text) if kind in ("COMMENT", "DOC_COMMENT")]
