"""Task variables and ``depends_on`` lines: long task names, black, and the graph Airflow builds."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipec.codegen import generate
from pipec.codegen.airflow.edges import task_var
from pipec.driver import analyze

LONG = "extract_" + "x" * 52  # 60 characters: shortened
LONG_TOO = "extract_" + "x" * 51 + "y"  # shares the first 32 characters with LONG
SOURCE = f"""\
import "std/runners"

platform {{ registry = "registry.example.com/etl" }}
environment local {{ operator = docker }}
environment prod {{ operator = kubernetes }}

tenant acme {{
  schema = "acme"
  namespace = "tenant-acme"
  quota = {{ cpu = "4", memory = "16Gi", pods = 10 }}
  secret source = k8s_secret("acme-source", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
}}

pipeline sales {{
  tenants = [acme]
  schedule = "@daily"

  bronze {{
    task {LONG} = postgres_extract(table = "orders")
    task {LONG_TOO} = postgres_extract(table = "customers")
    task extract_short = postgres_extract(table = "payments")
  }}
  silver {{
    task stg_orders = dbt_run(select = "stg_orders") after {LONG}, {LONG_TOO}, extract_short
  }}
}}

pipeline report {{
  tenants = [acme]
  schedule = after(sales)
  gold {{
    task report = dbt_run(select = "report")
  }}
}}
"""


def test_task_variables_are_short_unique_and_distinct_from_unshortened_names() -> None:
    assert task_var("stg_orders") == "t_stg_orders"
    assert task_var("a" * 40) == "t_" + "a" * 40
    assert task_var(LONG) != task_var(LONG_TOO)
    assert task_var(LONG).startswith("t_" + LONG[:32] + "_")
    assert len(task_var(LONG)) == 43 > len(task_var("a" * 40))


def _files(tmp_path: Path, env: str) -> dict[str, bytes]:
    source = tmp_path / "main.pipe"
    source.write_text(SOURCE, encoding="utf-8")
    analysis = analyze([source], tmp_path, env)
    assert analysis.project is not None, [d.message for d in analysis.errors]
    return generate(analysis.project)


@pytest.mark.parametrize("env", ["prod", "local"])
def test_long_task_names_stay_black_stable(env: str, tmp_path: Path) -> None:
    import black

    files = _files(tmp_path, env)
    source = files["acme/dags/acme__sales.py"].decode("utf-8")
    assert f"{task_var(LONG)} = " in source
    assert black.format_str(source, mode=black.Mode()) == source
    code = [line for line in source.splitlines() if "t_" in line and '"' not in line]
    assert any(task_var(LONG) in line for line in code)
    assert max(len(line) for line in code) <= 88  # strings may be longer: black keeps them


@pytest.mark.slow
@pytest.mark.parametrize("env", ["prod", "local"])
def test_airflow_builds_the_declared_edges(env: str, tmp_path: Path) -> None:
    from .runtime import dag_bag, write_tree

    bag = dag_bag(write_tree(_files(tmp_path, env), tmp_path / "out"))
    assert not bag.import_errors
    dag = bag.dags["acme__sales"]
    edges = {(up, t.task_id) for t in dag.tasks for up in t.upstream_task_ids}
    assert edges == {
        (LONG, "stg_orders"),
        (LONG_TOO, "stg_orders"),
        ("extract_short", "stg_orders"),
        ("stg_orders", "pipec-publish"),
    }
