"""Decoding string literals and templated names into literal and ``${...}`` parts."""

from __future__ import annotations

import re

from pipec.diagnostics import Sink
from pipec.source import Span
from pipec.syntax.nodes import Interp, Lit, StrPart

_SIMPLE_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}
_UNICODE = re.compile(r"u\{([0-9A-Fa-f]{1,6})\}")
_INTERP = re.compile(r"\$\{([a-z][a-z0-9_]*(?:\.[a-z][a-z0-9_]*)*)\}")


class _Parts:
    """Accumulates literal text and interpolations, merging adjacent literals."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.parts: list[StrPart] = []
        self._text: list[str] = []
        self._start: int | None = None
        self._end = 0

    def lit(self, text: str, start: int, end: int) -> None:
        if self._start is None:
            self._start = start
        self._text.append(text)
        self._end = end

    def interp(self, path: tuple[str, ...], start: int, end: int) -> None:
        self.flush()
        self.parts.append(Interp(path, Span(self.path, start, end)))

    def flush(self) -> None:
        if self._start is not None and self._text:
            self.parts.append(Lit("".join(self._text), Span(self.path, self._start, self._end)))
        self._text, self._start = [], None

    def done(self) -> tuple[StrPart, ...]:
        self.flush()
        return tuple(self.parts)


def decode_string(raw: str, base: int, path: str, sink: Sink) -> tuple[StrPart, ...]:
    """Parts of a string token ``raw`` (with its quotes) found at offset ``base``."""
    parts = _Parts(path)
    body, i, n = raw[1:-1], 0, len(raw) - 2
    while i < n:
        ch, at = body[i], base + 1 + i
        if ch == "\\":
            i = _escape(body, i, at, parts, sink, path)
        elif body.startswith("$${", i):
            parts.lit("${", at, at + 3)
            i += 3
        elif body.startswith("${", i):
            i = _interpolation(body, i, at, parts, sink, path)
        else:
            parts.lit(ch, at, at + 1)
            i += 1
    return parts.done()


def decode_name(raw: str, base: int, path: str, sink: Sink) -> tuple[StrPart, ...]:
    """Parts of a templated name such as ``extract_${t}`` (no escapes)."""
    parts = _Parts(path)
    i = 0
    while i < len(raw):
        if raw.startswith("${", i):
            i = _interpolation(raw, i, base + i, parts, sink, path)
        else:
            parts.lit(raw[i], base + i, base + i + 1)
            i += 1
    return parts.done()


def _escape(body: str, i: int, at: int, parts: _Parts, sink: Sink, path: str) -> int:
    nxt = body[i + 1] if i + 1 < len(body) else ""
    if nxt in _SIMPLE_ESCAPES and nxt:
        parts.lit(_SIMPLE_ESCAPES[nxt], at, at + 2)
        return i + 2
    m = _UNICODE.match(body, i + 1)
    if m and _is_scalar(int(m.group(1), 16)):
        parts.lit(chr(int(m.group(1), 16)), at, at + 1 + len(m.group(0)))
        return m.end()
    if m:
        sink.emit("E004", "`\\u{" + m.group(1) + "}` is not a Unicode scalar value",
                  Span(path, at, at + 1 + len(m.group(0))), label="not a valid code point",
                  help="use a code point up to 10FFFF outside the surrogates D800-DFFF")
        return m.end()
    width = 2 if nxt else 1
    shown = "\\" + nxt
    sink.emit("E004", f"unknown escape `{shown}` in string", Span(path, at, at + width),
              label="unknown escape",
              help='valid escapes are \\" \\\\ \\n \\t \\r and \\u{...}; write \\\\ for a backslash')
    return i + width


def _is_scalar(cp: int) -> bool:
    return cp <= 0x10FFFF and not 0xD800 <= cp <= 0xDFFF


def _interpolation(text: str, i: int, at: int, parts: _Parts, sink: Sink, path: str) -> int:
    m = _INTERP.match(text, i)
    if m:
        parts.interp(tuple(m.group(1).split(".")), at, at + len(m.group(0)))
        return m.end()
    close = text.find("}", i)
    end = close + 1 if close != -1 else len(text)
    sink.emit("E005", "`${` must be followed by a dotted name and `}`", Span(path, at, at + (end - i)),
              label="invalid interpolation",
              help="write `${name}` or `${tenant.schema}`; for a literal `${` write `$${`")
    return end
