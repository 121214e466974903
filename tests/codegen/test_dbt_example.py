"""The dbt example (examples/shop_dbt) through Airflow: DagBag imports both
environments, and every dbt task's container receives `dbt <command> --select
<node>` with the same bytes from DockerOperator and KubernetesPodOperator; real
dbt confirms each `--select` picks exactly the node (or tests) of its task."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "dbt"))
from support import EXAMPLE, MANIFEST, dbt_ls  # noqa: E402

from pipec.dbt import manifest as mf  # noqa: E402


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> dict:
    from pipec.driver import analyze

    from .runtime import load_dags, received_docker, received_kubernetes

    mp = pytest.MonkeyPatch()
    for slot in ("SOURCE", "WAREHOUSE"):
        mp.setenv(f"AIRFLOW_CONN_SHOPCO__{slot}", json.dumps({"conn_type": "generic", "password": "pw"}))
    out = {}
    try:
        for env in ("local", "prod"):
            project = analyze([EXAMPLE / "main.pipe"], EXAMPLE, env).project
            bag, _ = load_dags(project, tmp_path_factory.mktemp(env))
            assert bag.import_errors == {}
            (ir,) = project.dags
            dag = bag.dags[ir.dag_id]
            receive = received_docker if env == "local" else received_kubernetes
            got = {}
            for task in ir.tasks:
                received = receive(dag.get_task(task.name))
                got[task.name] = (received[0] if env == "local" else received).__dict__
            out[env] = (ir, dag, got)
    finally:
        mp.undo()
    return out


def _dbt_tasks(ir) -> list:
    return [t for t in ir.tasks if t.runner == "dbt_node"]


def test_dagbag_has_one_task_per_node_with_the_manifest_edges(example: dict) -> None:
    manifest = mf.load(MANIFEST)
    ir, dag, _ = example["prod"]
    nodes = {n.name for n in manifest.nodes.values() if n.resource_type in mf.BUILDABLE}
    runs = {t.name for t in _dbt_tasks(ir) if not t.name.endswith("_test")}
    assert runs == nodes - {"legacy_sales"}  # excluded by tag:deprecated
    assert dag.get_task("orders").upstream_task_ids == {"stg_orders_test", "stg_order_items_test",
                                                       "stg_payments_test"}
    assert dag.get_task("stg_orders").upstream_task_ids == {"extract_orders"}
    assert dag.get_task("customers_snapshot").upstream_task_ids == {"extract_customers"}
    assert dag.get_task("orders_test").upstream_task_ids == {"orders"}


def test_containers_receive_the_dbt_command_and_select(example: dict) -> None:
    for env in ("local", "prod"):
        ir, _, got = example[env]
        for task in _dbt_tasks(ir):
            args = got[task.name]["args"]
            assert args[1:3] == ("--select", task.args[2].static_value)
            command = "test" if task.name.endswith("_test") else {"model": "run"}.get(
                _kind(task.name), _kind(task.name))
            assert args[0] == command, task.name


def _kind(name: str) -> str:
    manifest = mf.load(MANIFEST)
    (node,) = [n for n in manifest.nodes.values() if n.name == name and n.resource_type in mf.BUILDABLE]
    return node.resource_type


def test_docker_and_kubernetes_receive_the_same(example: dict) -> None:
    _, _, docker = example["local"]
    _, _, kube = example["prod"]
    assert docker.keys() == kube.keys()
    for name, d in docker.items():
        k = kube[name]
        assert (d["image"], d["entrypoint"], d["args"]) == (k["image"], k["entrypoint"], k["args"]), name
        assert sorted(d["env"]) == sorted(k["env"])


def test_dbt_selects_exactly_each_tasks_nodes(example: dict, tmp_path: Path) -> None:
    ir, _, got = example["prod"]
    tasks = _dbt_tasks(ir)
    listings = dbt_ls([(got[t.name]["args"][2], "") for t in tasks], tmp_path)
    manifest = mf.load(MANIFEST)
    for task, listing in zip(tasks, listings):
        if task.name.endswith("_test"):
            direct = {u for u, n in listing.items() if n["resource_type"] == "test"}
            assert {manifest.nodes[u].name for u in direct} == set(got[task.name]["args"][2].split())
            assert not {u for u, n in listing.items() if n["resource_type"] != "test"}
        else:
            assert {n["name"] for n in listing.values() if n["resource_type"] in mf.BUILDABLE} == {task.name}


def test_every_test_runs_once_after_all_its_parents(example: dict, tmp_path: Path) -> None:
    ir, dag, got = example["prod"]
    (listing,) = dbt_ls([("", "tag:deprecated")], tmp_path)
    expected = {n["name"] for n in listing.values() if n["resource_type"] == "test"}
    owners = {}
    for task in _dbt_tasks(ir):
        if task.name.endswith("_test"):
            for test in got[task.name]["args"][2].split():
                assert test not in owners, f"{test} runs in {owners[test]} and {task.name}"
                owners[test] = task.name
    assert set(owners) == expected
    for uid, node in listing.items():
        if node["resource_type"] == "test":
            parents = {listing[p]["name"] for p in node["parents"] if p in listing}
            assert parents <= dag.get_task(owners[node["name"]]).upstream_task_ids
