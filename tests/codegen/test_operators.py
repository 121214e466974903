"""``literal()`` only where rendering could change the text, checked against real Airflow.

A static value in a rendered operator field is a plain string constant when
Jinja gives it back unchanged, else ``literal("...")`` (codegen/airflow/operators.py).
These tests render the plain ones through the template environment of a real
DAG, and check the template-file suffixes of the installed operators; they run
on the oldest supported Airflow line too (test_airflow_lines.py).
"""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.codegen.airflow.operators import TEMPLATE_SUFFIXES, literal
from pipec.codegen.pyexpr import Call, Str

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def jinja():
    from airflow.sdk import DAG

    dag = DAG(dag_id="t", schedule=None, start_date=pendulum.datetime(2024, 1, 1, tz="UTC"))
    return dag.get_template_env()


def _render(env, text: str) -> str:
    return env.from_string(text).render(ds="2024-01-01", run_id="r", params={})


# Text pipec meets: identifiers, paths, images, flags; plus whatever hypothesis finds.
SAMPLES = [
    "tenant-acme", "registry.localhost/etl/dbt-runner:0.1.0", "--select", "500m", "2Gi", "{}",
    "a}b", "%}", "#}", "x { y", "{{ ds }}", "{% if %}", "{# c #}", "line\nbreak", "cr\rlf\r\n",
    "trail\n", "run.sh", "cfg.env", "RUN.SH", "data.json", "x.yaml", "$(HOME)", "'\"\\", "\x00\x85",
]


@pytest.mark.parametrize("text", SAMPLES)
def test_plain_constants_render_to_themselves(jinja, text: str) -> None:
    expr = literal(text)
    if type(expr) is Str:
        assert _render(jinja, text) == text
    else:
        assert type(expr) is Call and expr.func == "literal" and expr.args == (Str(text),)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_any_text_reaches_the_container_as_written(jinja, text: str) -> None:
    expr = literal(text)
    if type(expr) is Str:  # else Airflow never renders it (``literal``)
        assert _render(jinja, text) == text


@pytest.mark.parametrize("text", ["{{ ds }}", "a{b", "x\ny", "x\r", "run.sh", "a.BASH", "v.env", "c.yml"])
def test_text_rendering_could_change_stays_literal(text: str) -> None:
    assert literal(text) == Call("literal", (Str(text),))


def test_installed_operators_template_suffixes_are_covered() -> None:
    """A value ending in an operator's ``template_ext`` would be read as a template file."""
    from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
    from airflow.providers.docker.operators.docker import DockerOperator

    for operator in (KubernetesPodOperator, DockerOperator):
        for ext in operator.template_ext:
            assert ext.lower().endswith(TEMPLATE_SUFFIXES), (operator.__name__, ext)
