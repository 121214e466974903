"""Line starts of a source file: one per line, found without walking every character."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.source import SourceFile


@settings(max_examples=300, derandomize=True)
@given(st.text(alphabet="ab \n\r\t\u00e9", max_size=60))
def test_line_starts_follow_every_newline(text):
    source = SourceFile("x.pipe", text)
    assert source.line_starts == tuple([0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"])
    for offset in range(len(text) + 1):
        line, col = source.line_col(offset)
        assert text.count("\n", 0, offset) + 1 == line and col >= 1
