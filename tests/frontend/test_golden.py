"""Golden diagnostics: every case under golden/ is found by listing the folder.

- ``golden/valid/``: must check clean (exit 0, nothing on stdout).
- ``golden/invalid/``: ``pipec check`` must print exactly ``NAME.err`` and exit 1.
- ``golden/lint/``: ``pipec lint`` must print exactly ``NAME.err`` and exit 1.

``PIPEC_UPDATE_GOLDEN=1`` rewrites the .err files; a missing .err is written and
the test fails, so a new case is never silently accepted.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from frontend_support import GOLDEN, UPDATE, Case, cases, codes_in, run_case
from pipec.diagnostics import CODES

INVALID = cases("invalid")
LINT = cases("lint")

# Codes no .pipe input can produce under `pipec check`/`pipec lint`; each is
# covered by tests/frontend/test_cli.py instead.
COMMAND_LINE_ONLY = {
    "E113",  # no platform block: only `pipec compile --env` needs one
    "E701",  # unknown `--env` given to `pipec compile`
    "E702",  # no input files and no pipec.toml
    "E703",  # malformed pipec.toml
    "E704",  # an entry file given on the command line cannot be read
    "E720",  # output folder errors of `compile`/`docs`: tests/codegen/test_publish_safety.py
    "E721",
    "E722",
    "E723",
}

# Codes whose input is too large to keep as a golden file; each is covered by
# tests/frontend/test_limits.py, which builds the input.
TOO_LARGE_FOR_A_GOLDEN = {
    "E707",  # a file over limits.MAX_FILE_BYTES (1 MiB)
    "E710",  # a string over limits.MAX_STRING characters
}


def _ids(found: list[Case]) -> list[str]:
    return [c.name for c in found]


@pytest.mark.parametrize("case", cases("valid"), ids=_ids(cases("valid")))
def test_valid_checks_clean(case: Case) -> None:
    out = run_case(case)
    assert (out.exit_code, out.stdout) == (0, ""), out.stdout
    assert "ok" in out.stderr


@pytest.mark.parametrize("case", cases("valid"), ids=_ids(cases("valid")))
def test_valid_is_lint_clean(case: Case) -> None:
    out = run_case(Case("lint", case.path))
    assert (out.exit_code, out.stdout) == (0, ""), out.stdout


@pytest.mark.parametrize("case", INVALID + LINT, ids=[f"{c.kind}/{c.name}" for c in INVALID + LINT])
def test_golden_diagnostics(case: Case) -> None:
    out = run_case(case)
    if UPDATE or not case.expected.exists():
        missing = not case.expected.exists()
        case.expected.write_text(out.stdout, encoding="utf-8")
        assert not missing, f"wrote missing golden {case.expected.name}; review it and run again"
    assert out.stdout == case.expected.read_text(encoding="utf-8")
    assert out.exit_code == 1
    assert codes_in(out.stdout), "an invalid case must produce at least one diagnostic"


@pytest.mark.parametrize("case", INVALID + LINT, ids=[f"{c.kind}/{c.name}" for c in INVALID + LINT])
def test_every_diagnostic_points_at_a_token_and_helps(case: Case) -> None:
    doc = json.loads(run_case(case, "--output-format", "json").stdout)
    assert doc["diagnostics"]
    for diag in doc["diagnostics"]:
        assert diag["help"], f"{diag['code']} at {diag['line']}:{diag['column']} has no help"
        assert (diag["end_line"], diag["end_column"]) > (diag["line"], diag["column"]), \
            f"{diag['code']} at {diag['line']}:{diag['column']} has an empty span"
        assert not diag["message"].endswith(".") and diag["message"][:1] == diag["message"][:1].lower()


def test_each_invalid_case_is_small() -> None:
    for case in INVALID + LINT:
        files = [case.path] if case.path.is_file() else sorted(case.path.rglob("*.pipe"))
        assert sum(len(f.read_text(encoding="utf-8").splitlines()) for f in files) <= 60, case.name


def test_goldens_cover_every_code() -> None:
    found = set()
    for case in INVALID + LINT:
        if case.expected.exists():
            found.update(codes_in(case.expected.read_text(encoding="utf-8")))
    missing = sorted(set(CODES) - COMMAND_LINE_ONLY - TOO_LARGE_FOR_A_GOLDEN - found)
    assert not missing, f"no golden case produces {', '.join(missing)}"
    assert not found & COMMAND_LINE_ONLY


def test_no_orphan_goldens() -> None:
    known = {c.expected for c in INVALID + LINT}
    orphans = sorted(p.name for p in GOLDEN.glob("*/*.err") if p not in known)
    assert not orphans, f".err files without a case: {orphans}"


_ALL_OUTPUTS = """
import sys
sys.path.insert(0, sys.argv[1])
from frontend_support import cases, run_case
for case in cases("invalid") + cases("lint"):
    for fmt in ("text", "json"):
        print(run_case(case, "--output-format", fmt).stdout)
"""


def test_output_does_not_depend_on_hash_seed() -> None:
    outputs = []
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", _ALL_OUTPUTS, str(Path(__file__).parent)], env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1]
    for case in INVALID + LINT:
        assert case.expected.read_text(encoding="utf-8") in outputs[0]
