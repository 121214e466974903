"""The selector parser: dbt's syntax, and errors located inside the selector text."""

from __future__ import annotations

import pytest

from pipec.dbt import selector as sel


def test_union_intersection_and_operators() -> None:
    (a,), (b, c) = sel.parse("2+stg_orders+1  tag:x,@path:models/marts")
    assert (a.method, a.value, a.parents, a.children, a.start, a.end) == ("fqn", "stg_orders", 2, 1, 0, 14)
    assert (b.method, b.value, b.parents) == ("tag", "x", None)
    assert (c.method, c.value, c.childrens_parents, c.start) == ("path", "models/marts", True, 22)


@pytest.mark.parametrize(("text", "method"), [
    ("models/staging", "path"), ("orders.sql", "file"), ("seeds.csv", "file"), ("marts.finance", "fqn"),
    ("config.materialized:table", "config"), ("source:shop.orders", "source"),
])
def test_default_and_explicit_methods(text: str, method: str) -> None:
    ((atom,),) = sel.parse(text)
    assert atom.method == method


@pytest.mark.parametrize(("text", "start", "end"), [
    ("a flavor:spicy", 2, 14), ("tag:x,@y+", 6, 9), ("resource_type:exposure", 0, 22),
    ("source:a.b.c.d", 0, 14), ("a +", 2, 3), ("config:x", 0, 8),
])
def test_errors_point_into_the_text(text: str, start: int, end: int) -> None:
    with pytest.raises(sel.SelectorError) as err:
        sel.parse(text)
    assert (err.value.start, err.value.end) == (start, end)
    assert err.value.help
