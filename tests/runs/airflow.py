"""Airflow for real, for the run tests: its CLI in a private AIRFLOW_HOME with a sqlite DB.

Everything runs the ``airflow`` command of the interpreter running pytest, in a
subprocess whose environment holds the configuration (``AIRFLOW__*``) and the
connections (``AIRFLOW_CONN_*``): nothing is written to a shared home or DB.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

AIRFLOW = Path(sys.executable).with_name("airflow")


@dataclass
class Airflow:
    """One Airflow installation: home folder, DAG folder, connections (id -> password)."""

    home: Path
    dags: Path
    passwords: dict[str, str] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "_AIRFLOW"))}
        env.update(
            AIRFLOW_HOME=str(self.home),
            AIRFLOW__CORE__DAGS_FOLDER=str(self.dags),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{self.home / 'airflow.db'}",
            AIRFLOW__CORE__UNIT_TEST_MODE="False",
        )
        for conn_id, password in self.passwords.items():
            conn = {"conn_type": "generic", "password": password}
            env[f"AIRFLOW_CONN_{conn_id.upper()}"] = json.dumps(conn)
        env.update(self.extra_env)
        return env

    def cli(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess:
        """``airflow ARGS``; with ``check``, a non-zero exit fails the test with its output."""
        proc = subprocess.run(
            [str(AIRFLOW), *args],
            env=self.env,
            cwd=self.home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            pytest.fail(
                f"airflow {' '.join(args)} exited {proc.returncode}\n"
                f"--- stdout\n{proc.stdout[-20000:]}\n--- stderr\n{proc.stderr[-20000:]}"
            )
        return proc

    def migrate(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.cli("db", "migrate")

    def query(self, sql: str, *params: object) -> list[sqlite3.Row]:
        """Rows of ``sql`` on the metadata DB (read-only)."""
        db = sqlite3.connect(f"file:{self.home / 'airflow.db'}?mode=ro", uri=True)
        db.row_factory = sqlite3.Row
        try:
            return db.execute(sql, params).fetchall()
        finally:
            db.close()

    def dag_runs(self, dag_id: str) -> list[sqlite3.Row]:
        return self.query(
            "SELECT run_id, state, run_type, logical_date, data_interval_start,"
            " data_interval_end FROM dag_run WHERE dag_id = ? ORDER BY id",
            dag_id,
        )

    def task_states(self, dag_id: str, run_id: str) -> dict[str, tuple[str, int]]:
        """task_id -> (state, try_number) of one run."""
        rows = self.query(
            "SELECT task_id, state, try_number FROM task_instance WHERE dag_id = ? AND run_id = ?",
            dag_id,
            run_id,
        )
        return {r["task_id"]: (r["state"], r["try_number"]) for r in rows}
