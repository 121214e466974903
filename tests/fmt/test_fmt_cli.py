"""``pipec fmt`` on the command line: writes, --check, --diff, stdin, projects, errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fmt_support import ROOT, invoke

UGLY = 'platform {\n    registry   =  "r"   # the registry   \n\n\n}\n'
PRETTY = 'platform {\n  registry = "r"  # the registry\n}\n'
BROKEN = 'platform {\n  registry = \n}\n'


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "ugly.pipe").write_text(UGLY)
    (tmp_path / "pretty.pipe").write_text(PRETTY)
    (tmp_path / "broken.pipe").write_text(BROKEN)
    return tmp_path


def test_formats_in_place(folder: Path) -> None:
    out = invoke(["fmt", "ugly.pipe", "pretty.pipe"], folder)
    assert out.exit_code == 0, out
    assert (folder / "ugly.pipe").read_text() == PRETTY
    assert "reformatted ugly.pipe" in out.stderr and "pretty.pipe" not in out.stderr
    assert "1 file reformatted, 1 unchanged" in out.stderr
    assert out.stdout == ""
    assert sorted(p.name for p in folder.iterdir()) == ["broken.pipe", "pretty.pipe", "ugly.pipe"]  # no temp files


def test_unchanged_file_is_not_rewritten(folder: Path) -> None:
    before = (folder / "pretty.pipe").stat().st_mtime_ns
    assert invoke(["fmt", "pretty.pipe"], folder).exit_code == 0
    assert (folder / "pretty.pipe").stat().st_mtime_ns == before


def test_keeps_file_mode(folder: Path) -> None:
    (folder / "ugly.pipe").chmod(0o640)
    invoke(["fmt", "ugly.pipe"], folder)
    assert (folder / "ugly.pipe").stat().st_mode & 0o777 == 0o640


def test_check_writes_nothing_and_lists_files(folder: Path) -> None:
    out = invoke(["fmt", "--check", "ugly.pipe", "pretty.pipe"], folder)
    assert out.exit_code == 1
    assert out.stdout == "would reformat ugly.pipe\n"
    assert (folder / "ugly.pipe").read_text() == UGLY
    assert invoke(["fmt", "--check", "pretty.pipe"], folder).exit_code == 0


def test_diff_prints_a_unified_diff_and_writes_nothing(folder: Path) -> None:
    out = invoke(["fmt", "--diff", "ugly.pipe"], folder)
    assert out.exit_code == 0
    assert out.stdout.startswith("--- ugly.pipe (original)\n+++ ugly.pipe (formatted)\n@@ ")
    assert '-    registry   =  "r"   # the registry   \n' in out.stdout
    assert '+  registry = "r"  # the registry\n' in out.stdout
    assert (folder / "ugly.pipe").read_text() == UGLY
    assert invoke(["fmt", "--diff", "pretty.pipe"], folder).stdout == ""
    assert invoke(["fmt", "--diff", "--check", "ugly.pipe"], folder).exit_code == 1


def test_stdin_to_stdout(folder: Path) -> None:
    out = invoke(["fmt", "-"], folder, stdin=UGLY)
    assert (out.exit_code, out.stdout) == (0, PRETTY)
    out = invoke(["fmt", "--check", "-"], folder, stdin=UGLY)
    assert (out.exit_code, out.stdout) == (1, "would reformat <stdin>\n")
    assert invoke(["fmt", "--check", "-"], folder, stdin=PRETTY).exit_code == 0


def test_stdin_with_syntax_errors(folder: Path) -> None:
    out = invoke(["fmt", "-"], folder, stdin=BROKEN)
    assert out.exit_code == 1 and out.stdout == ""
    assert "error[E001]" in out.stderr and "<stdin>:2:" in out.stderr


def test_syntax_errors_leave_the_file_untouched(folder: Path) -> None:
    before = (folder / "broken.pipe").stat().st_mtime_ns
    out = invoke(["fmt", "--color", "never", "broken.pipe", "ugly.pipe"], folder)
    assert out.exit_code == 1
    assert "error[E001]: unexpected end of line" in out.stderr and " --> broken.pipe:2:" in out.stderr
    assert "1 file not formatted (errors)" in out.stderr
    assert (folder / "broken.pipe").read_text() == BROKEN
    assert (folder / "broken.pipe").stat().st_mtime_ns == before
    assert (folder / "ugly.pipe").read_text() == PRETTY  # the other files are still formatted


def test_missing_file(folder: Path) -> None:
    out = invoke(["fmt", "nope.pipe"], folder)
    assert out.exit_code == 1 and "cannot read nope.pipe" in out.stderr


def test_stdin_is_alone(folder: Path) -> None:
    assert invoke(["fmt", "-", "ugly.pipe"], folder).exit_code == 2


def test_project_entries_and_their_imports(tmp_path: Path) -> None:
    project = tmp_path / "warehouse"
    shutil.copytree(ROOT / "examples" / "warehouse", project, ignore=shutil.ignore_patterns("build"))
    (project / "pipelines" / "finance.pipe").write_text(
        (project / "pipelines" / "finance.pipe").read_text().replace("\n", "   \n"))
    (project / "stray.pipe").write_text(UGLY)  # not imported: not part of the project
    out = invoke(["fmt", "--check"], project / "pipelines")
    assert out.exit_code == 1
    listed = set(out.stdout.split("\n")) - {""}
    assert "would reformat finance.pipe" in listed
    assert not any("stray" in line or "std" in line for line in listed)
    assert invoke(["fmt"], project).exit_code == 0
    assert invoke(["fmt", "--check"], project).exit_code == 0
    assert (project / "stray.pipe").read_text() == UGLY


def test_no_project(tmp_path: Path) -> None:
    out = invoke(["fmt"], tmp_path)
    assert out.exit_code == 2 and "E702" in out.stdout + out.stderr


def test_shipped_pipe_files_are_formatted() -> None:
    """The stdlib and the examples are the house style: `pipec fmt --check` leaves them alone."""
    import subprocess
    import sys

    repo = Path(__file__).resolve().parents[2]
    files = sorted(str(p) for p in [*repo.glob("stdlib/*.pipe"), *repo.glob("examples/**/*.pipe")])
    assert files
    done = subprocess.run([sys.executable, "-m", "pipec", "fmt", "--check", *files], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
