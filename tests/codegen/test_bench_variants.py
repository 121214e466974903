"""The benchmark's inputs are sound: generated projects compile, and the DagBag variants
(pipec's files, dag-factory YAML, a minimal static file) describe the same graph.

A tiny pass of what ``bench/run.py`` measures at 2,000 tasks. dag-factory is a
bench-only dependency, so its YAML is checked as data here (every task, operator
and dependency); pipec's and the minimal files go through Airflow's real DagBag.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import variants  # noqa: E402

from pipec.codegen import generate as codegen  # noqa: E402
from pipec.driver import analyze  # noqa: E402

pytestmark = pytest.mark.slow


def _graph(bag) -> dict:
    return {dag_id: {t.task_id: [type(t).__name__, sorted(t.downstream_task_ids)] for t in dag.tasks}
            for dag_id, dag in sorted(bag.dags.items())}


def _yaml_graph(folder: Path) -> dict:
    graph = {}
    for path in sorted(folder.glob("*.yaml")):
        for dag_id, body in yaml.safe_load(path.read_text(encoding="utf-8")).items():
            tasks = {t["task_id"]: [t["operator"].rsplit(".", 1)[-1], []] for t in body["tasks"]}
            for t in body["tasks"]:
                for up in t.get("dependencies", []):
                    tasks[up][1].append(t["task_id"])
            graph[dag_id] = {k: [c, sorted(d)] for k, (c, d) in tasks.items()}
    return graph


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("bench")
    shape = generate.Shape(tenants=2, pipelines=2, tasks=6)
    root = generate.write_project(work / "project", shape)
    result = analyze([root / "main.pipe"], root, "prod")
    assert not result.errors, result.errors
    build = root / "build" / "prod"
    for path, data in codegen(result.project).items():
        (build / path).parent.mkdir(parents=True, exist_ok=True)
        (build / path).write_bytes(data)
    return variants.write_variants(build, work / "dagbag")


def test_generated_projects_have_the_asked_size_and_every_layer():
    shape = generate.shape_for(2000)
    assert (shape.tenants, shape.pipelines, shape.tasks, shape.total) == (50, 2, 20, 2000)
    text = generate.tenant_file(0, shape)
    assert all(layer in text for layer in ("bronze {", "silver {", "gold {"))
    assert sum(generate.split(20)) == 20 and generate.shape_for(10).total == 10


def test_the_three_variants_describe_one_graph(folders):
    from airflow.dag_processing.dagbag import DagBag

    graphs = {}
    for name in ("pipec", "minimal"):
        bag = DagBag(dag_folder=str(folders[name]))
        assert not bag.import_errors, bag.import_errors
        graphs[name] = _graph(bag)
    graphs["dagfactory"] = _yaml_graph(folders["dagfactory"])
    assert len(graphs["pipec"]) == 4 and sum(len(g) for g in graphs["pipec"].values()) == 24
    assert graphs["pipec"] == graphs["minimal"] == graphs["dagfactory"]


def test_dagfactory_tasks_carry_every_argument_of_pipecs_operator(folders):
    source = variants.read_dag(sorted(folders["pipec"].glob("*.py"))[0])
    config = variants.dagfactory_config(source)
    (body,) = config.values()
    for (operator, kwargs), task in zip(source.tasks, body["tasks"]):
        assert task["operator"] == operator
        assert set(kwargs) == {k for k in task if k not in ("operator", "dependencies")}
