"""Lint rules, their explain pages, selection in pipec.toml and suppression comments.

The goldens under tests/frontend/golden/lint show each rule's exact output; these
tests check what goldens cannot: every output format, the rule registry, and
the configuration and suppression semantics.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "frontend"))

from frontend_support import GOLDEN, cases, codes_in, invoke  # noqa: E402
from pipec.diagnostics import CODES  # noqa: E402
from pipec.lint import OPT_IN, RULES, SUPPRESSION_CODES  # noqa: E402
from pipec.lint.config import LintConfig  # noqa: E402

EVERY_RULE = GOLDEN / "lint" / "every_rule"
LINT_CODES = sorted(c for c in CODES if c.startswith("W") and c >= "W104")


def test_every_lint_code_has_exactly_one_rule_or_is_a_suppression_code() -> None:
    emitted = [code for _, codes in RULES for code in codes] + list(SUPPRESSION_CODES)
    assert sorted(emitted) == LINT_CODES
    assert len(LINT_CODES) >= 15


@pytest.mark.parametrize("code", LINT_CODES)
def test_explain_page_has_a_bad_and_a_good_example(code: str) -> None:
    page = invoke(["explain", code], EVERY_RULE).stdout
    assert "bad:" in page and "good" in page, page
    assert CODES[code].severity == "warning"
    name = CODES[code].name
    assert name == name.lower() and " " not in name and "_" not in name


def _codes(fmt: str) -> list[str]:
    out = invoke(["lint", "--color", "never", "--output-format", fmt], EVERY_RULE)
    assert out.exit_code == 1
    if fmt == "text":
        return codes_in(out.stdout)
    if fmt == "json":
        return [d["code"] for d in json.loads(out.stdout)["diagnostics"]]
    if fmt == "sarif":
        return [r["ruleId"] for r in json.loads(out.stdout)["runs"][0]["results"]]
    return [line.split("title=")[1].split("::")[0] for line in out.stdout.splitlines()]


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github"])
def test_a_file_seeded_with_every_rule_reports_every_code_in_every_format(fmt: str) -> None:
    found = _codes(fmt)
    assert sorted(set(found)) == LINT_CODES
    assert found == _codes("text")


def test_json_positions_of_the_seeded_file_point_at_the_tokens() -> None:
    doc = json.loads(invoke(["lint", "--output-format", "json"], EVERY_RULE).stdout)
    text = (EVERY_RULE / "main.pipe").read_text(encoding="utf-8").splitlines()
    shown = {}
    for d in doc["diagnostics"]:
        if d["file"] == "main.pipe" and d["line"] == d["end_line"]:
            shown.setdefault(d["code"], text[d["line"] - 1][d["column"] - 1:d["end_column"] - 1])
    assert shown["W104"] == "{{ ds }}"
    assert shown["W105"] == '"globex-warehouse"'
    assert shown["W106"] == "${run.ds}"
    assert shown["W113"] == "extract_${t}"
    assert shown["W116"] == "old_export"
    assert shown["W117"] == "spare"
    assert shown["W118"] == "ftp"
    assert shown["W120"] == "W999"


# ---------------------------------------------------------------- selection


def _project(tmp_path: Path, lint_table: str, main: str | None = None) -> Path:
    text = (EVERY_RULE / "main.pipe").read_text(encoding="utf-8") if main is None else main
    (tmp_path / "main.pipe").write_text(text, encoding="utf-8")
    (tmp_path / "pipec.toml").write_text(f'entry = ["main.pipe"]\n[lint]\n{lint_table}\n', encoding="utf-8")
    return tmp_path


def _lint_codes(folder: Path) -> set[str]:
    out = invoke(["lint", "--output-format", "json"], folder)
    return {d["code"] for d in json.loads(out.stdout)["diagnostics"]}


def test_default_selection_leaves_out_the_opt_in_rules(tmp_path: Path) -> None:
    assert _lint_codes(_project(tmp_path, "")) == set(LINT_CODES) - OPT_IN
    assert _lint_codes(_project(tmp_path, "select = []")) == set(LINT_CODES) - OPT_IN


def test_select_and_ignore_take_prefixes_and_ignore_wins(tmp_path: Path) -> None:
    assert _lint_codes(_project(tmp_path, 'select = ["W11"]\nignore = ["W119", "W12"]')) == \
        {f"W11{i}" for i in range(9)}
    assert _lint_codes(_project(tmp_path, 'select = ["W104", "W108"]')) == {"W104", "W108"}


def test_per_file_ignores_match_globs_relative_to_the_project(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    _project(tmp_path / "sub", 'per-file-ignores = { "m*.pipe" = ["W1"] }')
    assert _lint_codes(tmp_path / "sub") == set()
    _project(tmp_path / "sub", 'per-file-ignores = { "other/*.pipe" = ["W1"], "main.pipe" = ["W104"] }')
    assert _lint_codes(tmp_path / "sub") == set(LINT_CODES) - OPT_IN - {"W104"}


@pytest.mark.parametrize(("table", "code", "message"), [
    ('select = ["W9"]', "E703", "`lint.select` names `W9`, which is no code or code prefix"),
    ('per-file-ignores = { "x" = ["Q1"] }', "E703", "`lint.per-file-ignores` names `Q1`"),
    ('ignore = "W104"', "E705", "`lint.ignore` in pipec.toml expects a list of strings"),
    ('per-file-ignores = ["x"]', "E705", "expects a table of lists of strings, found a list"),
    ("extend = []", "E706", "`extend`"),
])
def test_a_malformed_lint_table_is_reported_at_its_key(tmp_path: Path, table: str, code: str, message: str) -> None:
    out = invoke(["lint", "--output-format", "json"], _project(tmp_path, table))
    assert out.exit_code == 1
    (diag,) = json.loads(out.stdout)["diagnostics"]
    assert (diag["code"], diag["file"], diag["line"]) == (code, "pipec.toml", 3), diag
    assert message in diag["message"] and diag["help"]


def test_errors_cannot_be_deselected() -> None:
    config = LintConfig(select=("W104",), ignore=("E",))
    assert config.selects("E105") and config.selects("W104") and not config.selects("W105")


# ---------------------------------------------------------------- suppression

_BASE = """import "std/runners"
platform { registry = "r.example/etl" }
environment local { operator = docker }
tenant acme {
  schema = "acme", namespace = "tenant-acme", quota = { cpu = "4", memory = "16Gi", pods = 10 }
  secret source = k8s_secret("acme-source", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
}
pipeline sales {
  tenants = [acme], schedule = "@daily", owner = "x", on_failure = email("a@example.com"), timeout = 1h
  bronze {
%s
  }
}
"""


@pytest.mark.parametrize(("task", "codes"), [
    ('task a = postgres_extract(table = "{{ x }}")', {"W104"}),
    ('task a = postgres_extract(table = "{{ x }}")  # pipec: ignore[W104]', set()),
    ('task a = postgres_extract(table = "{{ x }}")  # a note  # pipec: ignore[w104]', set()),
    ('# pipec: ignore[W104]\n    task a = postgres_extract(table = "{{ x }}")', set()),
    ('# pipec: ignore[W104]\n\n    task a = postgres_extract(table = "{{ x }}")', {"W104", "W119"}),
    ('task a = postgres_extract(table = "{{ x }} # pipec: ignore[W104]")', {"W104"}),
    ('task a = postgres_extract(table = "{{ x }}")  # pipec: ignore[W113]', {"W104", "W119"}),
    ('task a = postgres_extract(table = "{{ x }}")  # pipec: ignore W104', {"W104", "W120"}),
    ('task a = postgres_extract(table = "{{ x }}")  # pipec: ignore[E105]', {"W104", "W120"}),
    ('task a = postgres_extract(table = "x")  # pipec: ignore[W104, W999]', {"W119", "W120"}),
])
def test_suppression_comments(tmp_path: Path, task: str, codes: set[str]) -> None:
    (tmp_path / "main.pipe").write_text(_BASE % f"    {task}", encoding="utf-8")
    out = invoke(["lint", "--output-format", "json", "main.pipe"], tmp_path)
    assert {d["code"] for d in json.loads(out.stdout)["diagnostics"]} == codes, out.stdout


def test_an_unused_suppression_of_an_ignored_code_is_not_reported(tmp_path: Path) -> None:
    main = _BASE % '    task a = postgres_extract(table = "x")  # pipec: ignore[W104]'
    assert _lint_codes(_project(tmp_path, 'ignore = ["W104"]', main)) == set()


def test_explain_without_a_code_lists_every_code() -> None:
    for args in (["explain"], ["explain", "--list"]):
        out = invoke(args, EVERY_RULE)
        assert out.exit_code == 0
        listed = [line.split()[0] for line in out.stdout.splitlines()]
        assert listed == sorted(CODES)
    assert "(opt-in)" in next(line for line in out.stdout.splitlines() if line.startswith("W108"))
