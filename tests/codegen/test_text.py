"""Text values: static text stays verbatim, runtime parts become Airflow templates.

These tests render with a plain Jinja sandbox set up like Airflow's (its ``ts``
filter); the slow suite repeats the check with Airflow itself.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import jinja2
import jinja2.sandbox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.codegen.errors import CodegenError
from pipec.codegen.text import jinja_string, k8s_escape, k8s_unescape, static_entrypoint, to_value
from pipec.ir.model import RunRef, Text

from .fixtures_ir import HOSTILE, MEDIUM, hostile_texts, text

LOGICAL = datetime(2024, 3, 5, 6, tzinfo=timezone.utc)
CONTEXT = {
    "ds": "2024-03-05",
    "logical_date": LOGICAL,
    "data_interval_start": (LOGICAL - timedelta(days=1)),
    "data_interval_end": LOGICAL,
    "run_id": "manual $(X) $$ {{ ds }}",
}
VALUES = {
    "ds": "2024-03-05",
    "logical_date": LOGICAL.isoformat(),
    "data_interval_start": (LOGICAL - timedelta(days=1)).isoformat(),
    "data_interval_end": LOGICAL.isoformat(),
    "window_start": (LOGICAL - timedelta(days=1)).isoformat(),
    "window_end": LOGICAL.isoformat(),
    "run_id": CONTEXT["run_id"],
}


def _env() -> jinja2.Environment:
    env = jinja2.sandbox.SandboxedEnvironment(undefined=jinja2.StrictUndefined, cache_size=0)
    env.filters["ts"] = lambda value: value.isoformat()
    return env


def _render(value: str) -> str:
    return _env().from_string(value).render(**CONTEXT)


def _expected(t: Text) -> str:
    return "".join(p if isinstance(p, str) else VALUES[p.var] for p in t.parts)


run_refs = st.sampled_from(list(VALUES)).map(lambda v: RunRef(var=v))
parts = st.lists(st.one_of(st.text(), st.sampled_from(HOSTILE), run_refs), max_size=6)


@given(parts)
@settings(max_examples=400, derandomize=True)
def test_docker_values_render_to_the_intended_text(raw: list) -> None:
    t = text(*raw)
    value = to_value(t, kubernetes=False)
    received = _render(value.text) if value.templated else value.text
    assert received == _expected(t)


@given(parts)
@settings(max_examples=400, derandomize=True)
def test_kubernetes_values_render_then_unescape_to_the_intended_text(raw: list) -> None:
    t = text(*raw)
    value = to_value(t, kubernetes=True)
    rendered = _render(value.text) if value.templated else value.text
    assert k8s_unescape(rendered) == _expected(t)
    assert "$" not in rendered.replace("$$", "")


@pytest.mark.parametrize("t", hostile_texts(), ids=repr)
def test_templates_never_end_in_plain_data(t: Text) -> None:
    for kubernetes in (False, True):
        value = to_value(t, kubernetes)
        assert value.templated == (not t.is_static)
        if value.templated:
            assert value.text.endswith("}}")


def test_readable_templates_for_plain_text() -> None:
    t = text("--since=", RunRef(var="ds"), " to ", RunRef(var="data_interval_end"))
    assert to_value(t, False).text == "--since={{ ds }} to {{ data_interval_end | ts }}"
    assert to_value(text("$x-", RunRef(var="run_id")), True).text == (
        '$$x-{{ run_id | replace("$", "$$") }}'
    )


@given(st.text())
@settings(max_examples=300, derandomize=True)
def test_jinja_string_renders_exactly(value: str) -> None:
    assert _render(jinja_string(value)) == value
    assert k8s_unescape(k8s_escape(value)) == value


def test_runtime_values_in_the_entrypoint_are_rejected() -> None:
    from pipec.ir.model import Task

    task = Task(
        name="t",
        layer="bronze",
        runner="r",
        image="i",
        entrypoint=(text("run", RunRef(var="ds")),),
        resources=MEDIUM,
    )
    with pytest.raises(CodegenError):
        static_entrypoint(task)
