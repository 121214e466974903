"""E301/E303 name a cycle that is really there: every step of the printed path is an edge."""

from __future__ import annotations

import re
from pathlib import Path

from hardening_support import BASE, check_json, variant

TASKS = """\
    task b = dbt_run(select = "b") after a, c
    task c = dbt_run(select = "c") after b
    task a = dbt_run(select = "a") after c
"""


def test_the_printed_cycle_follows_real_edges(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant('    task stg_orders = dbt_run(select = "stg_orders")\n', TASKS))
    assert rc == 1
    cycles = [d for d in diags if d["code"] == "E301"]
    assert len(cycles) == 1
    path = re.search(r"cycle: (.*)$", cycles[0]["message"]).group(1).split(" -> ")
    edges = {("c", "a"), ("a", "b"), ("c", "b"), ("b", "c")}  # (upstream, downstream)
    assert path[0] == path[-1]
    assert all(step in edges for step in zip(path, path[1:])), path
    labelled = {re.fullmatch(r"`(\w+)` runs after `(\w+)`", label)
                .groups()[::-1] for label in [cycles[0]["label"], *[s["message"] for s in cycles[0]["secondary"]]]}
    assert labelled == set(zip(path, path[1:]))
