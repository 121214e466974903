"""Offsets <-> LSP positions in UTF-16 (the default), UTF-8 and UTF-32 code units."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipec.lsp.positions import UTF8, UTF16, UTF32, LineIndex

TEXT = 'a = "🦆é"\r\nb = 1\rc\n'


@pytest.mark.parametrize("encoding, column", [(UTF16, 8), (UTF8, 11), (UTF32, 7)])
def test_columns_after_an_astral_character(encoding, column):
    index = LineIndex(TEXT, encoding)
    offset = TEXT.index('"', 5)  # the closing quote
    assert index.position(offset) == (0, column)
    assert index.offset(0, column) == offset


def test_lines_end_at_lf_crlf_and_cr():
    index = LineIndex(TEXT)
    assert index.position(TEXT.index("b")) == (1, 0)
    assert index.position(TEXT.index("c")) == (2, 0)
    assert index.position(len(TEXT)) == (3, 0)
    assert index.position(TEXT.index("\n")) == (0, 9)  # between `\r` and `\n`: the end of line 0


def test_positions_past_the_end_are_clamped():
    index = LineIndex(TEXT)
    assert index.offset(0, 999) == TEXT.index("\r")
    assert index.offset(99, 0) == len(TEXT)
    assert index.position(10_000) == (3, 0)
    assert index.position(-5) == (0, 0)


def test_a_position_inside_a_surrogate_pair_moves_past_the_character():
    index = LineIndex(TEXT)
    duck = TEXT.index("🦆")
    assert index.offset(0, 6) == duck + 1


@given(st.lists(st.sampled_from(["a", "é", "🦆", "\n", "\r\n", "\r", "中"]), max_size=30).map("".join),
       st.sampled_from([UTF8, UTF16, UTF32]))
def test_offsets_round_trip(text, encoding):
    index = LineIndex(text, encoding)
    for offset in range(len(text) + 1):
        if 0 < offset < len(text) and text[offset - 1] == "\r" and text[offset] == "\n":
            continue  # inside a CRLF: no position of its own
        assert index.offset(*index.position(offset)) == offset
