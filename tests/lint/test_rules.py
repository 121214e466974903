"""Rule semantics beyond the goldens: where each rule fires and where it must not."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "frontend"))

from frontend_support import invoke  # noqa: E402
from pipec.lint.rules.images import split_image  # noqa: E402
from pipec.lint.rules.logical_date_lower_bound import is_lower_bound  # noqa: E402

HEAD = """import "std/runners"
import "std/profiles"
platform { registry = "r.example/etl" }
environment local { operator = docker }
environment prod { operator = kubernetes }
tenant acme {
  schema = "acme", namespace = "tenant-acme", pool = %(pool)s
  quota = { cpu = "%(cpu)s", memory = "64Gi", pods = %(pods)s }
  secret source = k8s_secret("%(secret)s", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
}
tenant globex {
  schema = "globex", namespace = "tenant-globex", quota = { cpu = "8", memory = "32Gi", pods = 20 }
}
pipeline sales {
  tenants = [acme], schedule = "@daily", owner = "x", on_failure = email("a@example.com"), timeout = 1h
  retries = %(retries)s
%(body)s
}
"""


def _lint(tmp_path: Path, body: str, **kw) -> list[dict]:
    values = {"pool": 8, "cpu": "8", "pods": 20, "secret": "acme-source", "retries": 2, "body": body} | kw
    (tmp_path / "main.pipe").write_text(HEAD % values, encoding="utf-8")
    out = invoke(["lint", "--output-format", "json", "main.pipe"], tmp_path)
    doc = json.loads(out.stdout)
    assert not doc["errors"], out.stdout
    return doc["diagnostics"]


def _codes(diags: list[dict]) -> list[str]:
    return [d["code"] for d in diags]


def _bronze(*tasks: str) -> str:
    return "  bronze {\n" + "".join(f"    {t}\n" for t in tasks) + "  }"


@pytest.mark.parametrize(("image", "expected"), [
    ("r.example/etl/load:1.0", ("r.example/etl/load", "1.0", None)),
    ("r.example:5000/etl/load", ("r.example:5000/etl/load", None, None)),
    ("load@sha256:abc", ("load", None, "sha256:abc")),
    ("r.example:5000/load:2@sha256:abc", ("r.example:5000/load", "2", "sha256:abc")),
])
def test_split_image(image: str, expected: tuple) -> None:
    assert split_image(image) == expected


@pytest.mark.parametrize(("param", "bound"), [
    ("since", True), ("start_date", True), ("updated_since", True), ("copy_from", True),
    ("vars", False), ("table", False), ("sinceday", False),
])
def test_lower_bound_parameter_names(param: str, bound: bool) -> None:
    assert is_lower_bound(param) is bound


def test_w105_only_when_the_name_is_another_tenants_and_not_its_own(tmp_path: Path) -> None:
    task = _bronze('task a = postgres_extract(table = "a")')
    assert "W105" in _codes(_lint(tmp_path, task, secret="globex-source"))
    assert "W105" not in _codes(_lint(tmp_path, task, secret="acme-globex-bridge"))
    assert "W105" not in _codes(_lint(tmp_path, task, secret="globexample-source"))


def test_w106_on_incremental_calls_and_lower_bounds_only(tmp_path: Path) -> None:
    body = _bronze('task a = postgres_extract(table = "a", mode = incremental, source_schema = "s_${run.ds}")',
                   'task b = postgres_extract(table = "b", since = "${run.logical_date}")',
                   'task c = datakit(command = ["x", "${run.ds}"])',
                   'task d = postgres_extract(table = "d", mode = incremental, since = "${run.data_interval_end}")')
    found = [(d["line"], d["code"]) for d in _lint(tmp_path, body) if d["code"] == "W106"]
    assert [line for line, _ in found] == [19, 20]


def test_w111_points_at_the_zero_that_wins_per_environment(tmp_path: Path) -> None:
    body = _bronze('task a = postgres_extract(table = "a") { when prod { retries = 0 } }',
                   'task b = postgres_extract(table = "b") { when local { retries = 0 } }')
    diags = [d for d in _lint(tmp_path, body) if d["code"] == "W111"]
    assert [(d["line"], d["column"], d["end_column"]) for d in diags] == [(19, 68, 69)]
    diags = [d for d in _lint(tmp_path, _bronze('task a = postgres_extract(table = "a")'), retries=0)
             if d["code"] == "W111"]
    assert [(d["line"], d["message"]) for d in diags] == [(17, "`retries = 0` in kubernetes environment `prod`")]


def test_w113_names(tmp_path: Path) -> None:
    body = _bronze('task load_ = postgres_extract(table = "a")', 'task load_2024 = postgres_extract(table = "b")')
    assert [d["message"] for d in _lint(tmp_path, body) if d["code"] == "W113"] == \
        ["task name `load_` is not snake_case"]


def test_w114_needs_identical_arguments(tmp_path: Path) -> None:
    same = _bronze('task a = postgres_extract(table = "a")', 'task b = postgres_extract(table = "a")')
    other = _bronze('task a = postgres_extract(table = "a")', 'task b = postgres_extract(table = "b")')
    assert _codes(_lint(tmp_path, same)).count("W114") == 1
    assert "W114" not in _codes(_lint(tmp_path, other))


def _wave(n: int) -> str:
    return _bronze(*[f'task t{i} = postgres_extract(table = "t{i}")' for i in range(n)])


@pytest.mark.parametrize(("n", "pool", "cpu", "pods", "fires"), [
    (4, 8, "2", 20, False),   # 4 x 500m = 2 cpu fits exactly
    (5, 8, "2", 20, True),    # 2.5 cpu
    (5, 4, "2", 20, False),   # the pool lets only 4 run at once
    (3, 8, "8", 2, True),     # 3 pods, quota 2
])
def test_w115_sums_the_tasks_that_start_together(tmp_path: Path, n: int, pool: int, cpu: str, pods: int,
                                                  fires: bool) -> None:
    diags = _lint(tmp_path, _wave(n), pool=pool, cpu=cpu, pods=pods)
    assert ("W115" in _codes(diags)) is fires


def test_w115_tasks_that_wait_for_each_other_do_not_add_up(tmp_path: Path) -> None:
    chain = _bronze('task a = postgres_extract(table = "a")', 'task b = postgres_extract(table = "b") after a',
                    'task c = postgres_extract(table = "c") after b')
    assert "W115" not in _codes(_lint(tmp_path, chain, cpu="1", pods=1))


def test_w118_counts_slots_used_in_any_environment(tmp_path: Path) -> None:
    body = _bronze('task a = dbt_run(select = "a")')
    assert [d["message"] for d in _lint(tmp_path, body) if d["code"] == "W118"] == \
        ["secret slot `source` of tenant `acme` is never used"]
