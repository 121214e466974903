"""The Python printer: string constants and black-style line breaking."""

from __future__ import annotations

import ast

from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.codegen.pyexpr import Call, Dict, Int, List, Str, called, py_str, render


@given(st.text())
@settings(max_examples=500, derandomize=True)
def test_py_str_round_trips(value: str) -> None:
    literal = py_str(value)
    assert ast.literal_eval(literal) == value
    assert literal.isascii()
    assert "\n" not in literal and "\r" not in literal


def test_py_str_prefers_double_quotes_like_black() -> None:
    assert py_str("a") == '"a"'
    assert py_str("it's") == '"it\'s"'
    assert py_str('say "hi"') == "'say \"hi\"'"
    assert py_str("\"'") == '"\\"\'"'


def test_short_call_stays_on_one_line() -> None:
    expr = Call("f", (Str("a"),), (("b", Int(1)),))
    assert render(expr, 1, "x=", ",") == ['    x=f("a", b=1),']


def test_long_call_explodes_one_element_per_line_with_trailing_commas() -> None:
    expr = Call("f", kwargs=(("items", List(tuple(Str("x" * 30) for _ in range(3)))),))
    lines = render(expr, 0)
    assert lines[0] == "f("
    assert lines[1] == "    items=["
    assert all(line.endswith(",") for line in lines[2:5])
    assert lines[-2:] == ["    ],", ")"]


def test_forced_explosion_and_atoms_too_long_to_split() -> None:
    assert render(Dict((("k", Int(1)),)), 0, force=True) == ["{", '    "k": 1,', "}"]
    long = Str("y" * 100)
    assert render(long, 2) == ["        " + py_str("y" * 100)]


def test_called_collects_nested_function_names() -> None:
    expr = Call("a", (List((Call("b"),)),), (("k", Dict((("x", Call("c")),))),))
    assert called(expr) == {"a", "b", "c"}


def test_elements_and_brackets_are_what_the_printer_explodes() -> None:
    expr = Call("f", (Str("a"),), (("k", Dict((("x", Int(1)),))),))
    assert (expr.brackets(), expr.elements()) == (("f(", ")"), (("", Str("a")), ("k=", Dict((("x", Int(1)),)))))
    assert Dict((("x", Int(1)),)).elements() == (('"x": ', Int(1)),)
    assert List((Int(2),)).brackets() == ("[", "]")
    assert Call("g").elements() == List().elements() == Str("s").elements() == ()
    assert expr.elements() is expr.elements()  # computed once per node
