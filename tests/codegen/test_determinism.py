"""End to end determinism: the same project compiled from source under different
PYTHONHASHSEED values and with its files given in different orders writes the
same bytes (spec section 5)."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _compile(project: Path, files: list[str], env: str, out: Path, seed: str) -> dict[str, bytes]:
    run_env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "pipec", "compile", *files, "--env", env, "--out", str(out)],
                          cwd=project, env=run_env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    root = out / env
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("env", ["local", "prod"])
def test_hash_seed_and_file_order_do_not_change_the_output(env: str, tmp_path: Path) -> None:
    project = tmp_path / "warehouse"
    shutil.copytree(EXAMPLES / "warehouse", project, ignore=shutil.ignore_patterns("build"))
    files = sorted(p.relative_to(project).as_posix() for p in project.rglob("*.pipe"))
    assert len(files) > 2
    shuffled = files[:]
    random.Random(7).shuffle(shuffled)
    if shuffled == files:
        shuffled.reverse()
    first = _compile(project, files, env, tmp_path / "a", "0")
    second = _compile(project, shuffled, env, tmp_path / "b", "12345")
    third = _compile(project, list(reversed(files)), env, tmp_path / "c", "random")
    assert first and first.keys() == second.keys() == third.keys()
    for path in first:
        assert first[path] == second[path] == third[path], path
