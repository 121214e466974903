"""Generated Python is already black-formatted (black 26, default settings), so
compiling never needs to run black."""

from __future__ import annotations

import pytest

from pipec.codegen import generate

from .fixtures_ir import CASES, ENVIRONMENTS

pytestmark = pytest.mark.slow

PARAMS = [(case, env) for case in sorted(CASES) for env in sorted(ENVIRONMENTS)]


@pytest.mark.parametrize(("case", "env"), PARAMS)
def test_black_leaves_generated_python_unchanged(case: str, env: str) -> None:
    import black

    for path, data in generate(CASES[case](env)).items():
        if path.endswith(".py"):
            source = data.decode("utf-8")
            assert black.format_str(source, mode=black.Mode()) == source, path
