"""Golden cases: ``cases/NAME.pipe`` formats to ``cases/NAME.expected.pipe``.

Cases are found by listing the folder. ``PIPEC_UPDATE_GOLDEN=1`` rewrites the
expected files; a missing expected file is written and the test fails, so a new
case is always looked at once.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fmt_support import CASES
from pipec.fmt import format_source

UPDATE = os.environ.get("PIPEC_UPDATE_GOLDEN") == "1"
INPUTS = sorted(p for p in CASES.glob("*.pipe") if not p.name.endswith(".expected.pipe"))


def _read(path: Path) -> str:
    with open(path, encoding="utf-8", newline="") as f:
        return f.read()


def _write(path: Path, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def test_cases_exist() -> None:
    assert len(INPUTS) >= 5


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_golden(case: Path) -> None:
    result = format_source(case.name, _read(case))
    assert result.ok, result.diagnostics
    expected = case.with_name(f"{case.stem}.expected.pipe")
    if UPDATE or not expected.exists():
        missing = not expected.exists()
        _write(expected, result.text)
        if missing:
            pytest.fail(f"wrote the missing {expected.name}; check it and run again")
        return
    assert result.text == _read(expected)


@pytest.mark.parametrize("case", INPUTS, ids=lambda p: p.stem)
def test_expected_is_already_formatted(case: Path) -> None:
    expected = case.with_name(f"{case.stem}.expected.pipe")
    if not expected.exists():
        pytest.skip("no expected file yet")
    text = _read(expected)
    assert format_source(expected.name, text).text == text
