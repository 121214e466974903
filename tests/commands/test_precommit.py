"""`.pre-commit-hooks.yaml`: a valid manifest for pre-commit, whose hooks run.

The manifest is loaded with pre-commit's own schema. Then pre-commit itself runs
every hook on a git repository holding a new project: the hooks are copied from
the manifest into a `repo: local` config with `language: system`, so pre-commit
runs the `pipec` installed here (the `python` language would build a fresh
virtualenv from the index) with the manifest's entry, file patterns and
`pass_filenames`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .support import ROOT, invoke

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")
MANIFEST = ROOT / ".pre-commit-hooks.yaml"


def _hooks() -> list[dict]:
    from pre_commit.clientlib import load_manifest

    return load_manifest(str(MANIFEST))


def test_manifest_is_valid_for_pre_commit() -> None:
    hooks = _hooks()
    assert [h["id"] for h in hooks] == ["pipec-check", "pipec-lint", "pipec-fmt"]
    assert {h["entry"] for h in hooks} == {"pipec check", "pipec lint", "pipec fmt"}
    assert all(h["language"] == "python" for h in hooks)  # pre-commit installs pipec from this repository


def _repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    assert invoke(["init", str(repo)], tmp_path).exit_code == 0
    local = [{k: v for k, v in hook.items() if k in ("id", "name", "entry", "files", "pass_filenames",
                                                     "require_serial")} | {"language": "system"}
             for hook in yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))]
    config = {"repos": [{"repo": "local", "hooks": local}]}
    (repo / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    return repo


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


def _pre_commit(repo: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1",
           "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
                          cwd=repo, env=env, capture_output=True, text=True, timeout=300)


def _status(output: str) -> dict[str, str]:
    """hook name -> Passed / Failed / (no files to check)Skipped, from pre-commit's report."""
    out = {}
    for line in output.splitlines():
        for name in ("pipec check", "pipec lint", "pipec fmt"):
            if line.startswith(name + "."):
                out[name] = line.rsplit(".", 1)[-1].strip() or line
    return out


def test_hooks_pass_on_a_new_project(tmp_path: Path) -> None:
    proc = _pre_commit(_repo(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert _status(proc.stdout) == {"pipec check": "Passed", "pipec lint": "Passed", "pipec fmt": "Passed"}


def test_hooks_fail_on_an_error_a_warning_and_a_layout(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    main = repo / "main.pipe"
    text = main.read_text(encoding="utf-8")
    broken = text.replace('  owner = "data-eng"', '  owner   =   "data-eng"').replace(
        'select = "fct_sales"', 'select = "{{ ds }}"')
    main.write_text(broken, encoding="utf-8")
    _git(repo, "add", ".")
    proc = _pre_commit(repo, tmp_path)
    assert proc.returncode == 1
    assert _status(proc.stdout) == {"pipec check": "Passed", "pipec lint": "Failed", "pipec fmt": "Failed"}
    assert "warning[W104]" in proc.stdout
    assert main.read_text(encoding="utf-8") != broken  # the fmt hook rewrote the file
    main.write_text(text.replace("schedule =", "schedul ="), encoding="utf-8")
    proc = _pre_commit(repo, tmp_path)
    assert _status(proc.stdout)["pipec check"] == "Failed" and "error[E107]" in proc.stdout
