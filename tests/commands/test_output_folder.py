"""`pipec compile` and `pipec docs` in a hostile output folder, through the real command line:
each refusal is one coded diagnostic (E720-E723) located at the path, exit 1, no traceback;
docs and compile keep separate manifests, so sharing a folder removes nothing of the other's.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipec.outfolder import LOCK

from .support import EXAMPLES, invoke, pipec

QUICKSTART = next(e for e in EXAMPLES if e.name == "quickstart")


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != LOCK}


def _compile(out: Path, *extra: str):
    return invoke(["compile", "--env", "prod", "--out", str(out), "--color", "never", *extra], QUICKSTART)


def test_docs_into_the_compile_folder_keeps_the_dags(tmp_path: Path) -> None:
    build = tmp_path / "build"
    assert _compile(build).exit_code == 0
    compiled = _files(build / "prod")
    docs = invoke(["docs", "--out", str(build / "prod")], QUICKSTART)
    assert docs.exit_code == 0, docs.stderr
    after_docs = _files(build / "prod")
    assert {p: after_docs[p] for p in compiled} == compiled  # every DAG, pod and manifest kept
    assert "index.md" in after_docs and "docs-manifest.json" in after_docs
    again = _compile(build)
    assert again.exit_code == 0 and "wrote 0 files, removed 0" in again.stderr
    assert _files(build / "prod") == after_docs  # and compile keeps the pages
    assert _compile(build, "--check").exit_code == 0


def test_a_symlinked_dags_folder_is_E720_and_nothing_outside_changes(tmp_path: Path) -> None:
    build, outside = tmp_path / "build", tmp_path / "elsewhere"
    assert _compile(build).exit_code == 0
    dags = build / "prod/acme/dags"
    shutil.copytree(dags, outside)
    (outside / "acme__sales.py").write_text("# someone else's file\n")
    shutil.rmtree(dags)
    dags.symlink_to(outside, target_is_directory=True)
    before = _files(outside)
    out = _compile(build)
    assert out.exit_code == 1
    assert out.stdout.startswith(f"error[E720]: `{dags}` is a symlink inside the output folder\n")
    assert "= help: " in out.stdout and "Traceback" not in out.stdout + out.stderr
    assert "error: compile failed: 1 error" in out.stderr
    assert _files(outside) == before
    doc = json.loads(_compile(build, "--output-format", "json").stdout)
    (diag,) = doc["diagnostics"]
    assert (diag["code"], diag["file"]) == ("E720", str(dags))


def test_an_out_folder_with_a_name_too_long_is_E722(tmp_path: Path) -> None:
    out = _compile(tmp_path / ("n" * 300))
    assert out.exit_code == 1
    assert out.stdout.startswith("error[E722]: cannot write ") and "file name too long" in out.stdout


def test_a_file_where_the_dags_folder_should_be_is_E722_and_nothing_is_published(tmp_path: Path) -> None:
    build = tmp_path / "build"
    (build / "prod/acme").mkdir(parents=True)
    (build / "prod/acme/dags").write_text("not a folder\n")
    out = _compile(build)
    assert out.exit_code == 1 and out.stdout.startswith("error[E722]: ")
    assert "not a directory" in out.stdout
    assert _files(build) == {"prod/acme/dags": b"not a folder\n"}


def test_a_file_where_the_out_folder_should_be_is_E722_naming_that_file(tmp_path: Path) -> None:
    (tmp_path / "build").write_text("a file\n")
    out = _compile(tmp_path / "build" / "nested")
    assert out.exit_code == 1
    assert out.stdout.startswith(f"error[E722]: cannot write `{tmp_path / 'build'}`: not a directory\n")
    assert (tmp_path / "build").read_text() == "a file\n"


def test_a_foreign_file_in_the_way_is_E721(tmp_path: Path) -> None:
    build = tmp_path / "build"
    (build / "prod/acme").mkdir(parents=True)
    (build / "prod/acme/pools.json").write_text("mine\n")
    out = _compile(build)
    assert out.exit_code == 1 and out.stdout.startswith("error[E721]: refusing to overwrite files pipec did not")
    assert _files(build) == {"prod/acme/pools.json": b"mine\n"}


_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def test_a_folder_locked_by_another_process_is_E723(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "build/prod").mkdir(parents=True)
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(tmp_path / "build/prod" / LOCK)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline() == "locked\n"
        monkeypatch.setenv("PIPEC_LOCK_TIMEOUT", "0.2")
        out = _compile(tmp_path / "build")
    finally:
        holder.kill()
        holder.wait()
    assert out.exit_code == 1 and out.stdout.startswith("error[E723]: another pipec run is writing ")
    assert _files(tmp_path / "build") == {}


def test_the_lock_file_is_the_only_file_besides_the_outputs(tmp_path: Path) -> None:
    assert _compile(tmp_path).exit_code == 0
    everything = {p.relative_to(tmp_path / "prod").as_posix() for p in (tmp_path / "prod").rglob("*") if p.is_file()}
    listed = json.loads((tmp_path / "prod/manifest.json").read_text())["files"]
    assert everything == {*listed, "manifest.json", LOCK}
    assert (tmp_path / "prod" / LOCK).read_bytes() == b""


@pytest.mark.slow
def test_two_real_compiles_into_one_folder_take_turns(tmp_path: Path) -> None:
    warehouse = next(e for e in EXAMPLES if e.name == "warehouse")
    build = tmp_path / "build"
    runs = [subprocess.Popen([*pipec(), "compile", "--env", "prod", "--out", str(build)], cwd=project,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for project in (QUICKSTART, warehouse, QUICKSTART, warehouse)]
    for run in runs:
        _, err = run.communicate(timeout=600)
        assert run.returncode == 0, err
    listed = json.loads((build / "prod/manifest.json").read_text())["files"]
    assert set(_files(build / "prod")) == {*listed, "manifest.json"}  # nothing unlisted left behind
    # The folder holds one project's complete outputs, whichever ran last, and nothing else.
    up_to_date = [invoke(["compile", "--env", "prod", "--out", str(build), "--check"], p).exit_code == 0
                  for p in (QUICKSTART, warehouse)]
    assert up_to_date in ([True, False], [False, True])
