"""Source files and spans.

A span is a half-open byte range ``[start, end)`` of characters (str offsets) in one
source file; line and column are computed on demand, 1-based, counting characters.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property


@dataclass(frozen=True, order=True)
class Span:
    """Where something is: ``path`` of the file and the character range in its text."""

    path: str
    start: int
    end: int



@dataclass(frozen=True)
class SourceFile:
    """One loaded file: ``path`` as shown to users and its full text."""

    path: str
    text: str
    line_starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts, find = [0], self.text.find
        at = find("\n")
        while at != -1:  # one step per line, not per character
            starts.append(at + 1)
            at = find("\n", at + 1)
        object.__setattr__(self, "line_starts", tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line without its newline."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")

    @cached_property
    def line_count(self) -> int:
        return len(self.line_starts)


class SourceMap:
    """All files of one compilation, by path."""

    def __init__(self) -> None:
        self._files: dict[str, SourceFile] = {}

    def add(self, path: str, text: str) -> SourceFile:
        src = SourceFile(path, text)
        self._files[path] = src
        return src

    def get(self, path: str) -> SourceFile | None:
        return self._files.get(path)

    def __contains__(self, path: str) -> bool:
        return path in self._files
