"""``walk`` (what the syntax-walking lint rules iterate) visits every node once, in source order.

The iterative walk is checked against the plain recursive definition over the
syntax of every golden project, so rules see exactly the nodes they saw before.
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "frontend"))

from frontend_support import GOLDEN  # noqa: E402
from pipec.lint.context import walk  # noqa: E402
from pipec.diagnostics import Sink  # noqa: E402
from pipec.source import Span  # noqa: E402
from pipec.syntax.parser import parse_module  # noqa: E402

PIPE_FILES = sorted(GOLDEN.rglob("*.pipe"))


def recursive_walk(node):
    """The definition: the node, then (for lists, every item; for syntax nodes, every field
    holding a list or a syntax node) each child's walk in order."""
    yield node
    if isinstance(node, (list, tuple)):
        for item in node:
            yield from recursive_walk(item)
        return
    if not dataclasses.is_dataclass(node) or isinstance(node, Span):
        return
    for f in dataclasses.fields(node):
        value = getattr(node, f.name)
        if isinstance(value, (list, tuple)) or (dataclasses.is_dataclass(value) and not isinstance(value, Span)):
            yield from recursive_walk(value)


def test_there_are_golden_files_to_walk() -> None:
    assert len(PIPE_FILES) > 50


@pytest.mark.parametrize("path", PIPE_FILES, ids=lambda p: str(p.relative_to(GOLDEN)))
def test_walk_yields_the_same_nodes_in_the_same_order_as_the_recursive_definition(path: Path) -> None:
    text = path.read_text(encoding="utf-8", errors="replace")
    syntax = parse_module(str(path), text, Sink())
    expected = list(recursive_walk(syntax))
    got = list(walk(syntax))
    assert len(got) == len(expected) > 1
    assert all(a is b for a, b in zip(got, expected))
