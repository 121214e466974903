"""Golden output trees: tests/codegen/golden/<case>/<env>/ holds exactly what publish writes.

Cases are the IR fixtures (``fixtures_ir.CASES``) and every example project
(``examples/*/pipec.toml``, case ``example-<name>``) in each environment it declares,
compiled from source through the driver.

Set PIPEC_UPDATE_GOLDEN=1 to rewrite them. A missing golden tree or file is
written and the test fails, so new goldens are always looked at once.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from pipec.codegen import generate
from pipec.driver import analyze
from pipec.project import load_config
from pipec.publish import MANIFEST, manifest_bytes

from .fixtures_ir import CASES, GOLDEN_ENVS

GOLDEN = Path(__file__).parent / "golden"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
UPDATE = os.environ.get("PIPEC_UPDATE_GOLDEN") == "1"


def _example_params() -> list[tuple[str, str]]:
    out = []
    for toml in sorted(EXAMPLES.glob("*/pipec.toml")):
        cfg = load_config(toml)
        analysis = analyze(cfg.entries, cfg.root)
        assert analysis.defs is not None, f"example {toml.parent.name} has syntax errors"
        out.extend((f"example-{toml.parent.name}", env) for env in sorted(analysis.defs.envs))
    return out


PARAMS = [(case, env) for case in sorted(CASES) for env in GOLDEN_ENVS] + _example_params()


def _project(case: str, env: str):
    if not case.startswith("example-"):
        return CASES[case](env)
    cfg = load_config(EXAMPLES / case.removeprefix("example-") / "pipec.toml")
    analysis = analyze(cfg.entries, cfg.root, env)
    assert analysis.project is not None, [d.message for d in analysis.errors]
    return analysis.project


def _expected(case: str, env: str) -> dict[str, bytes]:
    files = generate(_project(case, env))
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
