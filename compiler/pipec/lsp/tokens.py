"""Semantic tokens: every token of a file with what it is, in the LSP's relative encoding.

Keywords, strings, numbers and comments come from the lexer; names are typed by
what they resolve to (the ``Index`` of the last analysis): a runner is a
function, a task a method, an enum value an enum member, and so on. A name's
own declaration carries the ``declaration`` modifier. A name the index does not
know is a field (``key = ...``) or a plain variable.
"""

from __future__ import annotations

import bisect

from pipec.lsp.index import Occurrence
from pipec.lsp.positions import LineIndex
from pipec.syntax.parser import token_spans

TOKEN_TYPES = ["keyword", "string", "number", "comment", "function", "method", "parameter", "variable",
               "property", "enum", "enumMember", "struct", "class", "namespace", "type", "operator"]
TOKEN_MODIFIERS = ["declaration", "documentation", "defaultLibrary"]

_KIND_TYPES = {
    "runner": "function", "task": "method", "parameter": "parameter", "loop variable": "variable",
    "secret": "property", "enum": "enum", "enum value": "enumMember", "profile": "struct",
    "pipeline": "class", "tenant": "namespace", "environment": "namespace", "platform": "namespace",
    "module": "namespace",
}
_LEXED = {
    "STRING": "string", "INT": "number", "DURATION": "number", "COMMENT": "comment", "DOC_COMMENT": "comment",
    "TRUE": "keyword", "FALSE": "keyword", "NONE": "keyword", "OPTIONAL": "operator",
}
_KEYWORDS = {"IMPORT", "AS", "PLATFORM", "ENVIRONMENT", "PROFILE", "ENUM", "RUNNER", "TENANT", "PIPELINE",
             "SECRET", "BRONZE", "SILVER", "GOLD", "TASK", "AFTER", "WHEN", "FOR", "IN"}
_NAMES = {"NAME", "INTERP_NAME", "UPPER_NAME"}


def classify(text: str, occurrences: list[Occurrence], module_path: str) -> list[tuple[int, int, str, set[str]]]:
    """(start, end, type, modifiers) of each token, in order."""
    spans = _Spans(occurrences)
    tokens = token_spans(text)
    out = []
    for i, (kind, start, end) in enumerate(tokens):
        if kind in _LEXED:
            mods = {"documentation"} if kind == "DOC_COMMENT" else set()
            out.append((start, end, _LEXED[kind], mods))
        elif kind in _KEYWORDS:
            field = i + 1 < len(tokens) and text[tokens[i + 1][1]:tokens[i + 1][2]] == "="
            out.append((start, end, "property" if field else "keyword", set()))
        elif kind in _NAMES:
            out.append(_name(text, start, end, spans, tokens, i, module_path))
    return out


def _name(text, start, end, spans, tokens, i, module_path) -> tuple[int, int, str, set[str]]:
    occ = spans.narrowest(start, end)
    if occ is None:
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        field = after is not None and text[after[1]:after[2]] == "="
        return start, end, "property" if field else "variable", set()
    target = occ.target
    if occ.span.end > end and text[end:end + 1] == ".":  # `std` in `std.dbt_run`: the module alias
        return start, end, "namespace", set()
    mods = set()
    if target.span == occ.span and target.module.path == module_path:
        mods.add("declaration")
    if target.module.is_std:
        mods.add("defaultLibrary")
    return start, end, _KIND_TYPES.get(target.kind, "variable"), mods


class _Spans:
    """Occurrences by start offset: the narrowest one holding a token, found without a full scan."""

    def __init__(self, occurrences: list[Occurrence]) -> None:
        self.items = sorted(occurrences, key=lambda o: (o.span.start, o.span.end))
        self.starts = [o.span.start for o in self.items]
        self.longest = max((o.span.end - o.span.start for o in self.items), default=0)

    def narrowest(self, start: int, end: int) -> Occurrence | None:
        lo = bisect.bisect_left(self.starts, start - self.longest)
        hi = bisect.bisect_right(self.starts, start)
        found = None
        for occ in self.items[lo:hi]:
            if occ.span.end >= end and (found is None or
                                        occ.span.end - occ.span.start < found.span.end - found.span.start):
                found = occ
        return found


def encode(text: str, tokens: list[tuple[int, int, str, set[str]]], encoding: str) -> list[int]:
    """The LSP's five integers per token, each position relative to the previous token."""
    index = LineIndex(text, encoding)
    data: list[int] = []
    prev_line = prev_col = 0
    for start, end, kind, mods in tokens:
        line, col = index.position(start)
        end_line, end_col = index.position(end)
        if end_line != line or end_col <= col:
            continue
        delta_col = col - prev_col if line == prev_line else col
        bits = sum(1 << TOKEN_MODIFIERS.index(m) for m in mods)
        data += [line - prev_line, delta_col, end_col - col, TOKEN_TYPES.index(kind), bits]
        prev_line, prev_col = line, col
    return data
