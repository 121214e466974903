"""Broken input never breaks the server: every example and golden case, whole and cut
off half-way (as while typing), is analysed, indexed, hovered and outlined in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipec.diagnostics import Sink
from pipec.lsp.describe import hover_markdown, outline
from pipec.syntax.parser import parse_module

from lsp_support import REAL_FILES, ROOT, typed_states


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_whole_and_half_typed_is_served_without_errors(path: Path):
    logged: list[str] = []
    for session, real, typed, cut, result, mod in typed_states(path, logged.append):
        index = result.index(mod)
        for occ in index.occurrences:
            target = occ.target
            assert 0 <= target.span.start <= target.span.end <= len(result.text(target.module.path))
            assert hover_markdown(target, lambda span: result.text(span.path)[span.start:span.end])
        for offset in range(0, cut + 1, 7):
            index.at(offset)
        outline(parse_module(str(real), typed, Sink()))
        session.findings(real)
    assert logged == []
