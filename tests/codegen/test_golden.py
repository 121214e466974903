"""Golden output trees: tests/codegen/golden/<case>/<env>/ holds exactly what publish writes.

Set PIPEC_UPDATE_GOLDEN=1 to rewrite them. A missing golden tree or file is
written and the test fails, so new goldens are always looked at once.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipec.codegen import generate
from pipec.publish import MANIFEST, manifest_bytes

from .fixtures_ir import CASES, GOLDEN_ENVS

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("PIPEC_UPDATE_GOLDEN") == "1"
PARAMS = [(case, env) for case in sorted(CASES) for env in GOLDEN_ENVS]


def _expected(case: str, env: str) -> dict[str, bytes]:
    files = generate(CASES[case](env))
    return {**files, MANIFEST: manifest_bytes(files)}


def _on_disk(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _write(root: Path, files: dict[str, bytes]) -> None:
    shutil.rmtree(root, ignore_errors=True)
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)


@pytest.mark.parametrize(("case", "env"), PARAMS, ids=[f"{c}-{e}" for c, e in PARAMS])
def test_golden_tree(case: str, env: str) -> None:
    root = GOLDEN / case / env
    expected = _expected(case, env)
    if UPDATE or not root.is_dir():
        _write(root, expected)
        if not UPDATE:
            pytest.fail(
                f"golden tree {root} was missing and has been written; review and commit it"
            )
        return
    actual = _on_disk(root)
    missing = sorted(set(expected) - set(actual))
    if missing:
        for path in missing:
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_bytes(expected[path])
        pytest.fail(f"golden files were missing and have been written: {missing}")
    assert sorted(actual) == sorted(expected), "golden tree has files codegen no longer produces"
    for path in sorted(expected):
        assert (
            actual[path] == expected[path]
        ), f"{case}/{env}/{path} differs (PIPEC_UPDATE_GOLDEN=1)"


def test_no_orphan_golden_trees() -> None:
    known = {(c, e) for c, e in PARAMS}
    found = {(p.parent.name, p.name) for p in GOLDEN.glob("*/*") if p.is_dir()}
    assert found <= known, f"golden trees without a case: {sorted(found - known)}"
