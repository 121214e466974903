"""Suppression comments: ``# pipec: ignore[CODE]`` and ``# pipec: ignore[CODE1, CODE2]``.

The marker may follow other comment text (`# retried by hand  # pipec: ignore[W111]`).
A comment suppresses the listed warnings whose primary position is on a line it
covers: its own line when it follows code (a trailing comment), or the next line
when it stands alone on its line (only blanks before `#`). Only warnings can be
suppressed; errors always show. A suppression that suppresses nothing is W119, a
malformed one (no `[...]`, an unknown code, an error code) is W120.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipec.diagnostics import CODES, Diagnostic, Sink
from pipec.source import SourceFile, Span

_MARK = re.compile(r"#\s*pipec\s*:\s*ignore\b")
_LIST = re.compile(r"\[([^\]]*)\]")
_CODE = re.compile(r"[A-Z][0-9]{3}")


@dataclass
class Suppression:
    """One code in one comment: the line it covers (1-based) and the span of the code."""

    code: str
    line: int
    span: Span
    used: bool = field(default=False)


def comments(src: SourceFile) -> list[tuple[int, int]]:
    """(line, offset of `#`) of every comment of a file; `#` inside strings is not a comment."""
    out = []
    for number in range(1, src.line_count + 1):
        start = src.line_starts[number - 1]
        text = src.line_text(number)
        in_string, escaped = False, False
        for i, ch in enumerate(text):
            if escaped:
                escaped = False
            elif in_string and ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = not in_string
            elif ch == "#" and not in_string:
                out.append((number, start + i))
                break
    return out


def scan(src: SourceFile, sink: Sink) -> list[Suppression]:
    """The suppressions of a file; malformed ones are reported (W120) on ``sink``."""
    found = []
    for line, at in comments(src):
        text = src.text[at: src.line_starts[line] - 1 if line < src.line_count else len(src.text)].rstrip("\r")
        mark = _MARK.search(text)
        if mark is None:
            continue
        alone = not src.line_text(line)[: at - src.line_starts[line - 1]].strip()
        covers = line + 1 if alone else line
        found.extend(_codes(src, line, at, mark.end(), text, covers, sink))
    return found


def _codes(src: SourceFile, line: int, at: int, after: int, text: str, covers: int, sink: Sink) -> list[Suppression]:
    listed = _LIST.match(text, after)
    if listed is None:
        sink.emit("W120", "suppression without a `[CODE]` list", Span(src.path, at, at + len(text)),
                  label="no codes", help="write `# pipec: ignore[W104]`, naming the warnings to suppress")
        return []
    out = []
    for m in re.finditer(r"[^,\s]+", listed.group(1)):
        code, span = m.group().upper(), Span(src.path, at + listed.start(1) + m.start(), at + listed.start(1) + m.end())
        if not _CODE.fullmatch(code) or code not in CODES:
            sink.emit("W120", f"`{m.group()}` is not a diagnostic code", span, label="unknown code",
                      help="name warning codes such as W104; `pipec explain` lists them")
        elif CODES[code].severity != "warning":
            sink.emit("W120", f"error `{code}` cannot be suppressed", span, label="an error",
                      help="errors must be fixed; only warnings (W...) can be suppressed")
        else:
            out.append(Suppression(code, covers, span))
    return out


def apply(diags: list[Diagnostic], suppressions: list[Suppression], sources) -> list[Diagnostic]:
    """``diags`` without the warnings a suppression covers (marking those suppressions used)."""
    index: dict[tuple[str, int, str], list[Suppression]] = {}
    for sup in suppressions:
        index.setdefault((sup.span.path, sup.line, sup.code), []).append(sup)
    kept = []
    for diag in diags:
        src = sources.get(diag.primary.span.path)
        hits = []
        if src is not None and diag.severity.value == "warning":
            line = src.line_col(diag.primary.span.start)[0]
            hits = index.get((diag.primary.span.path, line, diag.code), [])
        for sup in hits:
            sup.used = True
        if not hits:
            kept.append(diag)
    return kept


def report_unused(suppressions: list[Suppression], sink: Sink) -> None:
    for sup in suppressions:
        if not sup.used:
            sink.emit("W119", f"`# pipec: ignore[{sup.code}]` suppresses nothing", sup.span,
                      label=f"no {sup.code} here", help="remove the code from the comment (the warning is gone)")
