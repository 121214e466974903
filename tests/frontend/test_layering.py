"""The stages import downwards only: ``ir/`` (lowering) never imports ``check/``,
``codegen/`` or a front end, and ``syntax/`` knows nothing of later stages.

Checks run after lowering, from ``pipec.driver``; a check called from inside
lowering hides the order of the stages and makes ``ir`` depend on ``check``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "compiler" / "pipec"
FORBIDDEN = {
    "ir": ("pipec.check", "pipec.codegen", "pipec.cli", "pipec.lsp", "pipec.driver", "pipec.fmt"),
    "syntax": ("pipec.ir", "pipec.check", "pipec.codegen", "pipec.cli", "pipec.lsp", "pipec.driver"),
    "check": ("pipec.codegen", "pipec.cli", "pipec.lsp", "pipec.driver"),
}


def _imports(path: Path) -> list[tuple[str, int]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.module, node.lineno)] + [(f"{node.module}.{a.name}", node.lineno) for a in node.names]
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_stage_does_not_import_later_stages(package: str) -> None:
    files = sorted((PACKAGE / package).rglob("*.py"))
    assert files
    bad = [f"{path.relative_to(PACKAGE)}:{line} imports {name}"
           for path in files for name, line in _imports(path)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[package])]
    assert not bad, "\n".join(bad)
