"""Pod names, quantities and output paths."""

from __future__ import annotations

import re
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.codegen import quantity
from pipec.codegen.names import RUN_SUFFIX, pod_name, pod_name_base

RFC1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
identifiers = st.from_regex(r"[a-z][a-z0-9]{0,40}(_[a-z0-9]{1,20}){0,4}", fullmatch=True)


def test_short_pod_names_are_pipeline_dash_task_dash_run_suffix() -> None:
    assert pod_name("sales", "extract_orders") == "sales-extract-orders-" + RUN_SUFFIX


@given(identifiers, identifiers)
@settings(max_examples=300, derandomize=True)
def test_pod_names_are_valid_stable_and_distinct(pipeline: str, task: str) -> None:
    name = pod_name(pipeline, task)
    assert name.endswith("-" + RUN_SUFFIX)
    base = name.removesuffix("-" + RUN_SUFFIX)
    # the rendered suffix is 8 hex digits: the whole name stays a 63-character label
    assert len(base) + 1 + 8 <= 63 and RFC1123_LABEL.match(base)
    assert name == pod_name(pipeline, task)
    if len(f"{pipeline}-{task}") > 54:
        assert pod_name(pipeline, task + "x") != name


def test_long_pod_name_keeps_prefix_and_adds_hash() -> None:
    name = pod_name_base("adhoc_maintenance", "a_very_long_task_name_that_will_need_a_hashed_pod_name_x")
    assert len(name) == 63
    assert name.startswith("adhoc-maintenance-a-very-long-task-name")
    assert re.search(r"-[0-9a-f]{8}$", name)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Fraction(1, 2)),
        ("2", Fraction(2)),
        ("1.5", Fraction(3, 2)),
        ("1Gi", Fraction(2**30)),
        ("512Mi", Fraction(2**29)),
        ("1G", Fraction(10**9)),
        ("1e3", Fraction(1000)),
        ("100k", Fraction(100_000)),
    ],
)
def test_quantities(text: str, value: Fraction) -> None:
    assert quantity.parse(text) == value


def test_docker_numbers_from_quantities() -> None:
    assert quantity.cpus("250m") == 0.25
    assert quantity.memory_bytes("1.5Gi") == 1610612736
    with pytest.raises(ValueError):
        quantity.parse("lots")
