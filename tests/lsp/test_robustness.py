"""Broken input never breaks the server: every example and golden case, whole and cut
off half-way (as while typing), is analysed, indexed, hovered and outlined in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipec.diagnostics import Sink
from pipec.lsp.describe import hover_markdown, outline
from pipec.lsp.session import Session
from pipec.syntax.parser import parse_module

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted((ROOT / "tests" / "frontend" / "golden").rglob("*.pipe")) + sorted((ROOT / "examples").rglob("*.pipe"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_whole_and_half_typed_is_served_without_errors(path: Path):
    text = path.read_text(encoding="utf-8", errors="replace")
    logged: list[str] = []
    for cut in (len(text), len(text) // 2):
        session = Session(logged.append)
        real = path.resolve()
        session.buffers[real] = text[:cut]
        session.refresh(real)
        result, mod = session.locate(real)
        index = result.index(mod)
        for occ in index.occurrences:
            target = occ.target
            assert 0 <= target.span.start <= target.span.end <= len(result.text(target.module.path))
            assert hover_markdown(target, lambda span: result.text(span.path)[span.start:span.end])
        for offset in range(0, cut + 1, 7):
            index.at(offset)
        outline(parse_module(str(real), text[:cut], Sink()))
        session.findings(real)
    assert logged == []
