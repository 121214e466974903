"""End to end over the shipped examples: every example project (examples/*/pipec.toml)
compiled for each of its environments gives DAGs that Airflow imports, pods equal to
what the operator builds, valid manifests, and black-clean Python."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import yaml

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _projects() -> list[tuple[str, Path, list[Path]]]:
    found = []
    for toml in sorted(EXAMPLES.glob("*/pipec.toml")):
        entries = tomllib.loads(toml.read_text(encoding="utf-8")).get("entry", ["main.pipe"])
        entries = [entries] if isinstance(entries, str) else entries
        found.append((toml.parent.name, toml.parent, [toml.parent / e for e in entries]))
    return found


@pytest.mark.parametrize(
    ("name", "root", "entries"), _projects(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_example_compiles_for_every_environment(
    name: str, root: Path, entries: list[Path], tmp_path: Path
) -> None:
    import black
    import kubernetes_validate

    from pipec.driver import analyze

    from .runtime import load_dags, unrendered_pod

    envs = sorted(analyze(entries, root).defs.envs)
    assert envs, f"example {name} declares no environment"
    for env in envs:
        analysis = analyze(entries, root, env)
        assert analysis.project is not None, [d.message for d in analysis.errors]
        project = analysis.project
        bag, files = load_dags(project, tmp_path / env)
        assert bag.import_errors == {}
        assert sorted(bag.dags) == [d.dag_id for d in project.dags]
        for path, data in files.items():
            if path.endswith(".py"):
                assert black.format_str(data.decode(), mode=black.Mode()) == data.decode(), path
            if path.endswith(".yaml"):
                for doc in yaml.safe_load_all(data):
                    kubernetes_validate.validate(
                        doc, project.environment.kubernetes_version, strict=True
                    )
        if project.environment.operator == "kubernetes":
            in_cluster = project.environment.kubernetes_conn_id is None
            for ir in project.dags:
                for task in ir.tasks:
                    emitted = yaml.safe_load(
                        files[f"{ir.tenant}/k8s/pods/{ir.pipeline}.{task.name}.yaml"]
                    )
                    built = unrendered_pod(
                        bag.dags[ir.dag_id].get_task(task.name), dry_run=in_cluster
                    )
                    assert built == emitted, f"{ir.dag_id}.{task.name}"
