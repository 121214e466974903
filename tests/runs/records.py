"""What the recorder images print, read back from a task log; and what the IR says
each container must receive, with the run.* values of the run Airflow made.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pendulum

from pipec.ir.model import Task, Text

from .docker import RECORDER_PATH, entry_path

_RECORD = re.compile(r"PIPEC-RECORD ([0-9a-f-]{36}) (cmdline|environ) ([0-9a-f]*)")
_TASK_START = re.compile(r"\[DAG TEST\] starting task_id=(\S+)")
# Variables the Docker daemon sets in every container unless the task sets them.
DOCKER_ENV = frozenset({"PATH", "HOSTNAME", "HOME"})
# The shell that runs the recorder script is the container's first process.
SHELL = "/bin/sh"


@dataclass(frozen=True)
class Received:
    """A container's command line (as the kernel holds it) and its environment."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]

    def without_docker_defaults(self, keep: Iterable[str]) -> Received:
        keep = set(keep)
        env = tuple((k, v) for k, v in self.env if k in keep or k not in DOCKER_ENV)
        return Received(self.argv, env)


def _strings(hex_text: str) -> list[str]:
    data = bytes.fromhex(hex_text)
    if data.endswith(b"\0"):
        data = data[:-1]
    return [s.decode("utf-8") for s in data.split(b"\0")] if data else []


def records(output: str) -> list[tuple[str, Received]]:
    """Every record in ``output`` with the id of the record it came from, in order."""
    parts: dict[str, dict[str, str]] = {}
    order: list[str] = []
    for match in _RECORD.finditer(output):
        rid, kind, data = match.groups()
        if rid not in parts:
            order.append(rid)
        parts.setdefault(rid, {})[kind] = data
    out = []
    for rid in order:
        env = [s.split("=", 1) for s in _strings(parts[rid]["environ"])]
        out.append((rid, Received(tuple(_strings(parts[rid]["cmdline"])), tuple(sorted(map(tuple, env))))))
    return out


def records_by_task(output: str) -> dict[str, list[Received]]:
    """Records of ``airflow dags test`` output, by the task that was running (tasks run one by one)."""
    starts = list(_TASK_START.finditer(output))
    assert not records(output[: starts[0].start() if starts else len(output)]), "record before a task"
    found: dict[str, list[Received]] = {}
    for start, end in zip(starts, [*starts[1:], None]):
        section = output[start.end() : end.start() if end else len(output)]
        found.setdefault(start.group(1), []).extend(r for _, r in records(section))
    return {task: got for task, got in found.items() if got}


def _stamp(value: str | None) -> pendulum.DateTime | None:
    return None if value is None else pendulum.parse(value, tz="UTC")


# How each run.* variable reads off the DAG run Airflow recorded: the meaning the
# language spec gives it. A new run variable fails here until it is added.
RUN_VALUES: dict[str, Callable[[sqlite3.Row], str]] = {
    "ds": lambda run: _stamp(run["logical_date"]).strftime("%Y-%m-%d"),
    "logical_date": lambda run: _stamp(run["logical_date"]).isoformat(),
    "window_start": lambda run: _stamp(run["data_interval_start"]).isoformat(),
    "window_end": lambda run: _stamp(run["data_interval_end"]).isoformat(),
    "data_interval_start": lambda run: _stamp(run["data_interval_start"]).isoformat(),
    "data_interval_end": lambda run: _stamp(run["data_interval_end"]).isoformat(),
    "run_id": lambda run: run["run_id"],
}


def text(t: Text, run: sqlite3.Row) -> str:
    return "".join(p if isinstance(p, str) else RUN_VALUES[p.var](run) for p in t.parts)


def expected(task: Task, run: sqlite3.Row, passwords: dict[str, str]) -> Received:
    """What the container of ``task`` must receive in ``run``: the IR's args, env and secrets."""
    entry = [text(t, run) for t in task.entrypoint]
    head = [entry_path(entry[0]), *entry[1:]] if entry else [RECORDER_PATH]
    argv = (SHELL, *head, *(text(a, run) for a in task.args))
    env = {name: text(value, run) for name, value in task.env}
    env.update({s.env_var: passwords[s.connection_id] for s in task.secrets})
    return Received(argv, tuple(sorted(env.items())))
