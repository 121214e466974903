"""The batch commands run without cyclic garbage collection, and leave the collector as they found it."""

from __future__ import annotations

import gc
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipec.gcpause import collector_off

from .support import EXAMPLES, invoke

QUICKSTART = next(p for p in EXAMPLES if p.name == "quickstart")


def test_collector_off_disables_then_restores() -> None:
    assert gc.isenabled()
    with collector_off():
        assert not gc.isenabled()
        gc.freeze()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # what the block froze is unfrozen


def test_collector_off_keeps_a_disabled_collector_disabled() -> None:
    gc.disable()
    try:
        with collector_off():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_collector_off_restores_after_an_error() -> None:
    with pytest.raises(RuntimeError):
        with collector_off():
            raise RuntimeError("boom")
    assert gc.isenabled()


@pytest.mark.parametrize("command", [["check"], ["lint"], ["compile", "--env", "prod", "--out", "build-gc"]])
def test_commands_leave_the_collector_as_found(command: list[str], tmp_path: Path) -> None:
    project = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, project, ignore=shutil.ignore_patterns("build*"))
    threshold = gc.get_threshold()
    outcome = invoke(command, project)
    assert outcome.exit_code == 0, outcome.stderr
    assert gc.isenabled()
    assert gc.get_threshold() == threshold
    assert gc.get_freeze_count() == 0


def test_a_compile_leaves_almost_no_cyclic_garbage(tmp_path: Path) -> None:
    """Why the collector may stay off: a compile makes next to no reference cycles (some
    hundreds of objects, all from start-up), so memory does not grow without it."""
    project = tmp_path / "quickstart"
    shutil.copytree(QUICKSTART, project, ignore=shutil.ignore_patterns("build*"))
    script = (
        "import gc, sys\n"
        "from pipec.cli import main\n"
        "sys.argv = ['pipec', 'compile', '--env', 'prod', '--out', 'build-gc']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit as exit:\n"
        "    assert exit.code == 0, exit.code\n"
        "gc.disable()\n"  # main() enabled it again; count what it left behind
        "print(gc.collect())\n"
    )
    run = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True, text=True, check=True)
    assert int(run.stdout.strip().splitlines()[-1]) < 5_000
