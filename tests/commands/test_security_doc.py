"""SECURITY.md names the tests that guarantee each point: every one must exist.

A reference is a test file (``tests/...py``), optionally followed by test names
(``::test_x``, and ``::test_y`` continuing the same file), or a golden case
(``tests/frontend/golden/invalid/NAME.pipe`` followed by more ``NAME.pipe``).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
REF = re.compile(r"`((?:tests/[\w/.-]+)?)(::\w+)?`|`([\w.-]+\.pipe)`")


def _references(text: str) -> list[tuple[str, str | None]]:
    """(path, test name or None) for every reference, in order; bare names continue the last path."""
    found, current = [], None
    for match in REF.finditer(text):
        path, name, golden = match.groups()
        if golden:
            assert current and "golden" in current, f"{golden} follows no golden path"
            found.append((str(Path(current).parent / golden), None))
            continue
        if path:
            current = path
        assert current, f"{match.group(0)} follows no test path"
        found.append((current, name[2:] if name else None))
    return found


def _test_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {node.name for node in ast.walk(tree) if isinstance(node, ast.FunctionDef)}


def test_every_test_security_md_names_exists() -> None:
    refs = _references((ROOT / "SECURITY.md").read_text(encoding="utf-8"))
    assert len(refs) >= 30
    for path, name in refs:
        assert (ROOT / path).is_file(), f"SECURITY.md names a missing file {path}"
        if name:
            assert name in _test_names(ROOT / path), f"SECURITY.md names a missing test {path}::{name}"


def test_every_threat_names_a_test() -> None:
    rows = [line for line in (ROOT / "SECURITY.md").read_text(encoding="utf-8").splitlines()
            if re.match(r"\| \d+ \|", line)]
    assert len(rows) >= 18
    for row in rows:
        assert "`tests/" in row.split("|")[-2], f"no test for: {row[:60]}"
