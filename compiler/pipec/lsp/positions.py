"""Character offsets <-> LSP positions.

pipec spans are offsets into a Python ``str`` (code points). LSP positions are a
0-based line and a column counted in the code units of the negotiated encoding:
UTF-16 by default, where a character outside the Basic Multilingual Plane (an
emoji) counts twice. Lines end at ``\\n``, ``\\r\\n`` or ``\\r``, as LSP says.
"""

from __future__ import annotations

import bisect
import re

UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"
_BREAK = re.compile(r"\r\n|\r|\n")


def _units(ch: str, encoding: str) -> int:
    """How many code units ``ch`` takes in ``encoding``."""
    if encoding == UTF32:
        return 1
    if encoding == UTF8:
        return len(ch.encode("utf-8"))
    return 2 if ord(ch) > 0xFFFF else 1


class LineIndex:
    """Converts between offsets in ``text`` and (line, character) in ``encoding`` units."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding if encoding in (UTF8, UTF16, UTF32) else UTF16
        self.starts = [0] + [m.end() for m in _BREAK.finditer(text)]

    def _line_end(self, line: int) -> int:
        """Offset just past the last character of ``line`` (before its line break)."""
        if line + 1 >= len(self.starts):
            return len(self.text)
        end = self.starts[line + 1]
        while end > self.starts[line] and self.text[end - 1] in "\r\n":
            end -= 1
        return end

    def position(self, offset: int) -> tuple[int, int]:
        """0-based (line, character) of a character offset (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        # an offset between `\r` and `\n` belongs at the end of its line
        offset = min(offset, self._line_end(line))
        chunk = self.text[self.starts[line]:offset]
        if self.encoding == UTF32 or chunk.isascii():
            return line, len(chunk)
        return line, sum(_units(ch, self.encoding) for ch in chunk)

    def offset(self, line: int, character: int) -> int:
        """The character offset of an LSP position; past the end of a line is its end."""
        if line < 0:
            return 0
        if line >= len(self.starts):
            return len(self.text)
        start, end = self.starts[line], self._line_end(line)
        units = 0
        for i in range(start, end):
            if units >= character:
                return i
            units += _units(self.text[i], self.encoding)
        return end
