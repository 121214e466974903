"""Completion, references, rename and semantic tokens never fail on real files: every example
and golden case, whole and cut off half-way (as while typing), in process."""

from __future__ import annotations

from pathlib import Path

import pytest

from lsp_support import REAL_FILES, ROOT, typed_states
from pipec.lsp import refs, tokens
from pipec.lsp.complete import complete


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_file_whole_and_half_typed_completes_refers_renames_and_colours(path: Path):
    logged: list[str] = []
    for _, _, _, cut, result, mod in typed_states(path, logged.append):
        shown = result.text(mod.path)
        for offset in range(0, cut + 1, 5):
            for item in complete(shown, offset, mod, result.analysis.program):
                assert item.label and item.kind
        occurrences = result.index(mod).occurrences
        for occ in occurrences:
            found = refs.references(result, occ.target)
            assert any(r.span == occ.span for r in found) or occ.target.module.is_std
            try:
                for edit in refs.rename(result, occ.target, "renamed_name"):
                    assert result.text(edit.span.path)[edit.span.start:edit.span.end] == occ.target.name
            except refs.RenameError as err:
                assert str(err)
        data = tokens.encode(shown, tokens.classify(shown, occurrences, mod.path), "utf-16")
        assert len(data) % 5 == 0 and all(n >= 0 for n in data)
    assert logged == []
