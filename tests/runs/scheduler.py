"""Airflow running for real: scheduler, dag-processor and api-server with the LocalExecutor.

The api-server listens on a free port and the execution API URL points at it;
all three share one JWT secret, the temp AIRFLOW_HOME and its sqlite DB. Each
process gets its own session, and :meth:`Scheduler.stop` ends exactly those
process groups.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from .airflow import AIRFLOW, Airflow

T = TypeVar("T")
COMPONENTS = ("scheduler", "dag-processor", "api-server")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Scheduler:
    """The three Airflow components of ``airflow``'s home, started by :meth:`start`."""

    def __init__(self, airflow: Airflow) -> None:
        self.airflow = airflow
        self.port = free_port()
        self.procs: dict[str, subprocess.Popen] = {}
        airflow.extra_env.update(
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__CORE__PARALLELISM="2",
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{self.port}/execution/",
            AIRFLOW__API__PORT=str(self.port),
            AIRFLOW__API__HOST="127.0.0.1",
            AIRFLOW__API__WORKERS="1",
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_hex(32),
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="5",
            AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="1",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="True",
        )

    def start(self) -> None:
        logs = self.airflow.home / "components"
        logs.mkdir(exist_ok=True)
        for name in COMPONENTS:
            args = [str(AIRFLOW), name] + (["--port", str(self.port)] if name == "api-server" else [])
            out = open(logs / f"{name}.log", "wb")  # noqa: SIM115 (owned by the process)
            self.procs[name] = subprocess.Popen(
                args,
                env=self.airflow.env,
                cwd=self.airflow.home,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def stop(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        for proc in self.procs.values():
            try:  # children the component left behind (executor workers, task runners)
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def component_logs(self) -> str:
        parts = []
        for name in COMPONENTS:
            path = self.airflow.home / "components" / f"{name}.log"
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"--- {name} (exit {self.procs[name].poll()})\n{text[-6000:]}")
        return "\n".join(parts)

    def wait_for(self, what: str, probe: Callable[[], T | None], timeout: float = 600) -> T:
        """Poll ``probe`` until it returns a value; fail with the components' logs otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            dead = [n for n, p in self.procs.items() if p.poll() is not None]
            if dead:
                pytest.fail(f"airflow {dead} exited while waiting for {what}\n{self.component_logs()}")
            try:
                value = probe()
            except sqlite3.OperationalError:  # the DB is locked by a writer: ask again
                value = None
            if value is not None:
                return value
            time.sleep(2)
        pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}\n{self.component_logs()}")


def task_log_events(home: Path, dag_id: str) -> dict[str, list[str]]:
    """task_id -> the ``event`` of every JSON line of its log files under ``logs/dag_id=...``."""
    events: dict[str, list[str]] = {}
    for path in sorted((home / "logs" / f"dag_id={dag_id}").rglob("*.log")):
        task = next(p.split("=", 1)[1] for p in path.parts if p.startswith("task_id="))
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                events.setdefault(task, []).append(str(json.loads(line).get("event", "")))
    return events


def all_log_text(home: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in sorted((home / "logs").rglob("*.log")))
