"""The command line: exit codes, what goes to stdout and stderr, every output format.

Most tests run the real CLI in-process (fast); a few run the installed ``pipec``
script and ``python -m pipec`` in a subprocess, as a user would.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from frontend_support import GOLDEN, ROOT, cases, invoke, run_case
from pipec.diagnostics import CODES

EXAMPLES = sorted(p.parent for p in (ROOT / "examples").glob("*/pipec.toml"))
INVALID = cases("invalid")
PIPEC = Path(sys.executable).parent / "pipec"
JSON_KEYS = {"code": str, "severity": str, "message": str, "file": str, "line": int, "column": int,
             "end_line": int, "end_column": int}


def _subprocess(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def _pipec() -> list[str]:
    return [str(PIPEC)] if PIPEC.exists() else [sys.executable, "-m", "pipec"]


# ---------------------------------------------------------------- examples


def test_there_are_examples() -> None:
    assert len(EXAMPLES) >= 2


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_check_example_is_clean(example: Path) -> None:
    proc = _subprocess([*_pipec(), "check"], example)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == ""
    assert len(proc.stderr.splitlines()) == 1 and "ok" in proc.stderr, proc.stderr


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_lint_example_is_clean(example: Path) -> None:
    out = invoke(["lint"], example)
    assert (out.exit_code, out.stdout) == (0, "")


@pytest.mark.parametrize("name", ["runners.pipe", "profiles.pipe"])
def test_stdlib_file_checks_clean_on_its_own(name: str) -> None:
    out = invoke(["lint", f"stdlib/{name}"], ROOT)
    assert (out.exit_code, out.stdout) == (0, ""), out.stdout


def test_python_dash_m_pipec_works() -> None:
    proc = _subprocess([sys.executable, "-m", "pipec", "check"], EXAMPLES[0])
    assert proc.returncode == 0 and proc.stdout == "", proc.stderr
    proc = _subprocess([sys.executable, "-m", "pipec", "explain", "E301"], ROOT)
    assert proc.returncode == 0 and proc.stdout.startswith("E301")


# ---------------------------------------------------------------- headline errors

# (case, code, offending token, which occurrence of it in the file)
HEADLINES = [
    ("dependency_cycle", "E301", "stg_customers", 1),
    ("layer_order_backwards", "E302", "stg_orders", 1),
    ("undefined_runner", "E105", "dbt_runn", 1),
    ("runner_argument_wrong_type", "E201", "42", 1),
    ("cross_tenant_secret", "E401", "acme.warehouse", 1),
    ("cross_tenant_field", "E401", "globex.schema", 1),
]


def _position(text: str, token: str, occurrence: int) -> tuple[int, int]:
    at = -1
    for _ in range(occurrence):
        at = text.index(token, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


@pytest.mark.parametrize("name,code,token,occurrence", HEADLINES, ids=[h[0] for h in HEADLINES])
def test_headline_error_points_at_the_token(name: str, code: str, token: str, occurrence: int) -> None:
    path = GOLDEN / "invalid" / f"{name}.pipe"
    proc = _subprocess([*_pipec(), "check", "--color", "never", path.name], path.parent)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0].startswith(f"error[{code}]: ")
    line, col = _position(path.read_text(encoding="utf-8"), token, occurrence)
    assert lines[1].strip() == f"--> {path.name}:{line}:{col}"
    source_row = next(i for i, text in enumerate(lines) if re.match(rf"^\s*{line} \| ", text))
    source, carets = lines[source_row], lines[source_row + 1]
    offset = source.index("| ") + 2
    assert carets[offset + col - 1:].startswith("^" * len(token) + " ")
    assert any(text.strip().startswith("= help: ") for text in lines)
    assert proc.stderr.startswith("error: check")


def test_color_always_paints_and_never_does_not() -> None:
    case = next(c for c in INVALID if c.name == "undefined_runner")
    assert "\x1b[" in invoke(["check", "--color", "always", *case.args], case.cwd).stdout
    assert "\x1b[" not in invoke(["check", "--color", "never", *case.args], case.cwd).stdout


# ---------------------------------------------------------------- formats


@pytest.mark.parametrize("case", INVALID, ids=[c.name for c in INVALID])
def test_json_has_every_field_and_agrees_with_text(case) -> None:
    out = run_case(case, "--output-format", "json")
    assert out.exit_code == 1 and out.stderr == ""
    doc = json.loads(out.stdout)
    assert doc["errors"] == len(doc["diagnostics"]) >= 1
    text_positions = re.findall(r"^\s*--> (.+)$", run_case(case).stdout, re.M)
    json_positions = []
    for diag in doc["diagnostics"]:
        for key, kind in JSON_KEYS.items():
            assert isinstance(diag[key], kind), (key, diag)
        assert diag["code"] in CODES and diag["severity"] == CODES[diag["code"]].severity
        json_positions.append(f"{diag['file']}:{diag['line']}:{diag['column']}")
    assert json_positions == text_positions


@pytest.mark.parametrize("case", INVALID, ids=[c.name for c in INVALID])
def test_sarif_is_a_sarif_log(case) -> None:
    out = run_case(case, "--output-format", "sarif")
    assert out.exit_code == 1
    doc = json.loads(out.stdout)
    assert doc["version"] == "2.1.0" and len(doc["runs"]) == 1
    run = doc["runs"][0]
    rules = {rule["id"] for rule in run["tool"]["driver"]["rules"]}
    assert run["results"]
    for result in run["results"]:
        assert result["ruleId"] in rules and result["level"] in ("error", "warning")
        assert result["message"]["text"]
        location = result["locations"][0]["physicalLocation"]
        assert (case.cwd / location["artifactLocation"]["uri"]).exists() or \
            location["artifactLocation"]["uri"].startswith("std/")
        region = location["region"]
        assert 1 <= region["startLine"] <= region["endLine"] and region["startColumn"] >= 1


GITHUB = re.compile(r"^::(error|warning) file=[^,]+,line=\d+,col=\d+,endLine=\d+,endColumn=\d+,title=[EW]\d{3}::\S.*$")


@pytest.mark.parametrize("case", INVALID, ids=[c.name for c in INVALID])
def test_github_annotations(case) -> None:
    out = run_case(case, "--output-format", "github")
    assert out.exit_code == 1
    lines = out.stdout.splitlines()
    assert lines and all(GITHUB.match(line) for line in lines), out.stdout
    assert len(lines) == len(json.loads(run_case(case, "--output-format", "json").stdout)["diagnostics"])


def test_clean_project_in_json_is_an_empty_list() -> None:
    out = invoke(["check", "--output-format", "json"], EXAMPLES[0])
    assert out.exit_code == 0
    assert json.loads(out.stdout) == {"diagnostics": [], "errors": 0, "warnings": 0}


def test_lint_reports_warnings_with_exit_1() -> None:
    case = next(c for c in cases("lint") if c.name == "unused_import")
    out = run_case(case, "--output-format", "json")
    assert out.exit_code == 1
    assert {d["severity"] for d in json.loads(out.stdout)["diagnostics"]} == {"warning"}
    assert invoke(["check", *case.args], case.cwd).exit_code == 0


# ---------------------------------------------------------------- explain


@pytest.mark.parametrize("code", sorted(CODES))
def test_explain_every_code(code: str) -> None:
    out = invoke(["explain", code], ROOT)
    assert out.exit_code == 0
    assert out.stdout.startswith(f"{code} ({CODES[code].name}, {CODES[code].severity}): ")
    assert CODES[code].explanation in out.stdout
    assert invoke(["explain", code.lower()], ROOT).stdout == out.stdout


@pytest.mark.parametrize("code", ["E999", "X001", "", "e3011"])
def test_explain_unknown_code_is_a_usage_error(code: str) -> None:
    out = invoke(["explain", code], ROOT)
    assert out.exit_code == 2 and out.stdout == ""
    assert "unknown code" in out.stderr


# ---------------------------------------------------------------- usage errors: exit 2


@pytest.mark.parametrize("args", [
    ["bogus"],
    ["check", "--output-format", "xml"],
    ["check", "--no-such-option"],
    ["check", "--color", "sometimes"],
    ["explain"],
    ["explain", "E001", "E002"],
], ids=lambda a: " ".join(a))
def test_usage_errors_exit_2(args: list[str]) -> None:
    out = invoke(args, EXAMPLES[0])
    assert out.exit_code == 2
    assert out.stdout == ""


def test_no_input_is_E702(tmp_path: Path) -> None:
    out = invoke(["check"], tmp_path)
    assert out.exit_code == 2
    assert out.stdout.startswith("error[E702]: ") and "= help: " in out.stdout


def test_empty_folder_argument_is_E702(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    out = invoke(["check", "empty"], tmp_path)
    assert out.exit_code == 2 and out.stdout.startswith("error[E702]: ")


@pytest.mark.parametrize("toml,code", [
    ('entry = ["main.pipe"', "E703"),      # not TOML
    ("entry = 3", "E705"),                 # wrong type
    ('colour = "blue"', "E706"),           # unknown key
], ids=["syntax", "type", "unknown-key"])
def test_malformed_project_file(tmp_path: Path, toml: str, code: str) -> None:
    (tmp_path / "pipec.toml").write_text(toml + "\n", encoding="utf-8")
    (tmp_path / "main.pipe").write_text('platform { registry = "r" }\n', encoding="utf-8")
    out = invoke(["check", "--output-format", "json"], tmp_path)
    assert out.exit_code == 1
    (diag,) = json.loads(out.stdout)["diagnostics"]
    assert diag["code"] == code and diag["help"] and diag["file"] == "pipec.toml"


def test_missing_file_is_E704(tmp_path: Path) -> None:
    out = invoke(["check", "--color", "never", "nowhere.pipe"], tmp_path)
    assert out.exit_code == 1
    assert out.stdout.splitlines()[:2] == ["error[E704]: cannot read `nowhere.pipe`", " --> nowhere.pipe"]


def test_file_that_is_not_utf8_is_E704(tmp_path: Path) -> None:
    (tmp_path / "latin1.pipe").write_bytes('platform { registry = "caf\xe9" }\n'.encode("latin-1"))
    out = invoke(["check", "--output-format", "json", "latin1.pipe"], tmp_path)
    assert out.exit_code == 1
    assert [d["code"] for d in json.loads(out.stdout)["diagnostics"]] == ["E704"]


def _copy_example(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(ROOT / "examples" / name, target, ignore=shutil.ignore_patterns("build"))
    return target


def test_unknown_environment_is_E701(tmp_path: Path) -> None:
    project = _copy_example(tmp_path, "quickstart")
    out = invoke(["compile", "--env", "staging", "--out", "build", "--color", "never"], project)
    # an unknown environment is an error in the input: it may come from pipec.toml
    assert out.exit_code == 1
    assert out.stdout == "error[E701]: unknown environment `staging`\n  = help: environments: local, prod\n"
    assert not (project / "build").exists()


def test_compile_without_platform_is_E113(tmp_path: Path) -> None:
    (tmp_path / "main.pipe").write_text("environment local {\n  operator = docker\n}\n", encoding="utf-8")
    out = invoke(["compile", "main.pipe", "--env", "local", "--out", "build", "--output-format", "json"], tmp_path)
    assert out.exit_code == 1
    assert [d["code"] for d in json.loads(out.stdout)["diagnostics"]] == ["E113"]
    assert not (tmp_path / "build").exists()


def test_check_does_not_write_anything(tmp_path: Path) -> None:
    project = _copy_example(tmp_path, "warehouse")
    before = sorted(p.relative_to(project) for p in project.rglob("*"))
    assert invoke(["check"], project).exit_code == 0
    assert sorted(p.relative_to(project) for p in project.rglob("*")) == before


def test_check_from_a_subfolder_finds_pipec_toml() -> None:
    out = invoke(["check"], ROOT / "examples" / "warehouse" / "pipelines")
    assert (out.exit_code, out.stdout) == (0, "")
