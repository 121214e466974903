"""Fixtures of the real-run suites: a Docker daemon, the recorder runner images,
and a migrated Airflow metadata DB to copy into each test's AIRFLOW_HOME."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipec.ir.model import Project

from . import docker
from .airflow import Airflow
from .projects import FAILING_IMAGE, PRINTING_IMAGE, local_projects


@pytest.fixture(scope="session")
def docker_daemon(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    proc = docker.ensure_daemon(tmp_path_factory.mktemp("dockerd"))
    try:
        yield
    finally:
        docker.stop_daemon(proc)


@pytest.fixture(scope="session")
def projects() -> dict[str, Project]:
    return local_projects()


@pytest.fixture(scope="session")
def runner_images(docker_daemon: None, projects: dict[str, Project]) -> None:
    """Every image the projects name, and the failing and the env-printing variants."""
    tasks = [t for p in projects.values() for d in p.dags for t in d.tasks]
    entrypoints = {t.entrypoint[0].static_value for t in tasks if t.entrypoint}
    docker.build_runner_image({t.image for t in tasks}, entrypoints)
    docker.build_runner_image([FAILING_IMAGE], entrypoints, exit_code=3)
    docker.build_runner_image([PRINTING_IMAGE], entrypoints, print_env=True)
    for project in projects.values():
        if project.environment.network:
            docker.ensure_network(project.environment.network)


@pytest.fixture(scope="session")
def migrated_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An Airflow metadata DB after ``airflow db migrate``, to copy (migrating takes a while)."""
    home = tmp_path_factory.mktemp("airflow-template")
    Airflow(home=home, dags=home / "dags").migrate()
    return home / "airflow.db"


@pytest.fixture
def new_airflow(migrated_db: Path, tmp_path_factory: pytest.TempPathFactory):
    """A factory of Airflow homes with a fresh copy of the migrated DB."""

    def make(name: str, dags: Path, passwords: dict[str, str]) -> Airflow:
        home = tmp_path_factory.mktemp(f"airflow-{name}")
        shutil.copy(migrated_db, home / "airflow.db")
        return Airflow(home=home, dags=dags, passwords=passwords)

    return make
