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


def _exprs():
    from hypothesis import strategies as st

    from pipec.codegen.pyexpr import Call, Code, Dict, Int, List, Str

    names = st.sampled_from(["a", "name", "image", "container_resources", "x" * 30])
    leaves = st.one_of(
        st.one_of(st.text(max_size=20), st.text(min_size=50, max_size=90)).map(Str),
        st.integers(-(10**12), 10**12).map(Int),
        st.sampled_from([Code("None"), Code("False"), Code("default_args")]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4).map(lambda xs: List(tuple(xs))),
            st.lists(st.tuples(st.text(max_size=20), inner), max_size=3).map(
                lambda kv: Dict(tuple(kv))
            ),
            st.tuples(
                st.sampled_from(["f", "literal", "k8s.V1EnvVar", "KubernetesPodOperator"]),
                st.lists(inner, max_size=2),
                st.lists(st.tuples(names, inner), max_size=3),
            ).map(lambda t: Call(t[0], tuple(t[1]), tuple(t[2]))),
        ),
        max_leaves=8,
    )


def test_printer_output_is_a_black_fixed_point() -> None:
    """Random expressions as a call's keyword argument (how codegen uses them), at any
    depth and with lengths around the 88-column limit."""
    import black
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from pipec.codegen.pyexpr import Call, render

    @given(_exprs(), st.integers(0, 3), st.booleans())
    @settings(max_examples=500, derandomize=True, deadline=None)
    def check(expr, depth: int, force: bool) -> None:
        lines = ["    " * i + "with a:" for i in range(depth)]
        lines += render(Call("Operator", kwargs=(("value", expr),)), depth, force=force)
        source = "\n".join(lines) + "\n"
        assert black.format_str(source, mode=black.Mode()) == source

    check()
