"""The projects the real-run suites run: every example's ``local`` environment and
the hostile fixture, as IR built by pipec's own driver (or by hand, for the fixture)."""

from __future__ import annotations

from pathlib import Path

from pipec.driver import analyze
from pipec.ir.model import Project
from pipec.project import load_config

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ENV = "local"
# Recorder images that exit 3, and that print their environment in clear text.
FAILING_IMAGE = "registry.localhost/pipec-tests/failing:1.0"
PRINTING_IMAGE = "registry.localhost/pipec-tests/printing:1.0"


def example_projects() -> dict[str, Project]:
    found = {}
    for toml in sorted(EXAMPLES.glob("*/pipec.toml")):
        config = load_config(toml)
        analysis = analyze(config.entries, config.root, ENV)
        assert analysis.project is not None, [d.message for d in analysis.errors]
        assert analysis.project.environment.operator == "docker", toml
        found[f"example-{toml.parent.name}"] = analysis.project
    return found


def hostile_project() -> Project:
    """The hostile fixture; its ``{{ ds }}.sh`` image tag, which no daemon accepts as a
    reference (the operator tests check it stays text), becomes a real tag."""
    from codegen.fixtures_ir import CASES

    project = CASES["hostile"](ENV)
    dags = []
    for dag in project.dags:
        tasks = tuple(
            t.model_copy(update={"image": "registry.localhost/etl/hostile:static"})
            if "{{" in t.image
            else t
            for t in dag.tasks
        )
        dags.append(dag.model_copy(update={"tasks": tasks}))
    return project.model_copy(update={"dags": tuple(dags)})


def local_projects() -> dict[str, Project]:
    return {**example_projects(), "hostile": hostile_project()}


def passwords(project: Project) -> dict[str, str]:
    """A distinct secret for every Airflow connection the project's tasks read."""
    ids = {s.connection_id for d in project.dags for t in d.tasks for s in t.secrets}
    return {cid: f'{cid} pa$$(w)ord {{{{ conn.x.password }}}} "q" \u00fc' for cid in sorted(ids)}
