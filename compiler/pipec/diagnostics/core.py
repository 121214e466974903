"""Diagnostic, Label, Severity and the Sink that collects them.

Diagnostics are collected, never raised: one file can yield many. Messages are
lowercase, without a trailing period, and name the problem; the fix goes in ``help``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from pipec.diagnostics.codes import CODES
from pipec.source import Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Label:
    """A span with an optional note; the primary label carries the caret."""

    span: Span
    message: str = ""


@dataclass(frozen=True)
class Suggestion:
    """A fix a program can apply: the name ``old``, written in the primary span, becomes ``new``."""

    old: str
    new: str


class Hint(str):
    """A help text that also carries its fix (``did you mean `x`?``); prints as the plain text."""

    suggestion: Suggestion

    def __new__(cls, text: str, suggestion: Suggestion) -> "Hint":
        hint = super().__new__(cls, text)
        hint.suggestion = suggestion
        return hint


@dataclass(frozen=True)
class Diagnostic:
    """One finding: a stable ``code`` from the table, a primary label, extras."""

    code: str
    message: str
    primary: Label
    secondary: tuple[Label, ...] = ()
    help: str | None = None
    notes: tuple[str, ...] = ()
    fix: Suggestion | None = field(default=None, compare=False)  # from a `Hint` help: for editors

    def __post_init__(self) -> None:
        assert self.code in CODES, f"unknown diagnostic code {self.code}"

    @property
    def severity(self) -> Severity:
        return Severity(CODES[self.code].severity)

    def sort_key(self) -> tuple:
        span = self.primary.span
        return (span.path, span.start, span.end, self.code, self.message)


_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """User text quoted in a message, with control characters written as .pipe escapes.

    A value such as ``"globex\n"`` must show its newline, not break the report's layout.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else _ESCAPES.get(ch, f"\\u{{{ord(ch):x}}}") for ch in text)


@dataclass
class Sink:
    """Collects diagnostics; deduplicates identical ones (e.g. from several environments)."""

    items: list[Diagnostic] = field(default_factory=list)
    _seen: set = field(default_factory=set, repr=False)
    offered: int = 0  # diagnostics added, duplicates included (pipec.incremental: "did this step report anything")

    def emit(
        self,
        code: str,
        message: str,
        span: Span,
        *,
        label: str = "",
        secondary: tuple[Label, ...] | list[Label] = (),
        help: str | None = None,
        notes: tuple[str, ...] | list[str] = (),
    ) -> Diagnostic:
        fix = help.suggestion if isinstance(help, Hint) else None
        diag = Diagnostic(code, printable(message), Label(span, printable(label)),
                          tuple(Label(s.span, printable(s.message)) for s in secondary),
                          printable(str(help)) if help else None, tuple(notes), fix)
        return self.add(diag)

    def add(self, diag: Diagnostic) -> Diagnostic:
        """Keep an already built diagnostic (unless an identical one is kept)."""
        self.offered += 1
        key = (diag.code, diag.message, diag.primary.span)
        if key not in self._seen:
            self._seen.add(key)
            self.items.append(diag)
        return diag

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self.items, key=Diagnostic.sort_key)
