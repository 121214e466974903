"""`pipec docs`: golden Markdown pages for every example, determinism, table escaping,
errors and the rules for writing into --out.

Goldens are ``golden/docs/<example>/`` holding every file the command writes
(docs-manifest.json included), one folder per example found on disk.
PIPEC_UPDATE_GOLDEN=1 rewrites them; a missing golden is written and the test fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipec import docgen
from pipec.outfolder import LOCK

from .support import EXAMPLES, UPDATE, invoke

GOLDEN = Path(__file__).parent / "golden" / "docs"
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _files(folder: Path) -> dict[str, bytes]:
    """Every file docs wrote, but the empty lock file (tests/commands/test_output_folder.py)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != LOCK}


def _cells(row: str) -> list[str]:
    return UNESCAPED_PIPE.split(row.strip())[1:-1]


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_golden(example: Path, tmp_path: Path) -> None:
    out = invoke(["docs", "--out", str(tmp_path / "docs")], example)
    assert out.exit_code == 0, out.stderr
    got = _files(tmp_path / "docs")
    expected = GOLDEN / example.name
    if UPDATE or not expected.exists():
        existed = expected.exists()
        shutil.rmtree(expected, ignore_errors=True)
        for path, data in got.items():
            (expected / path).parent.mkdir(parents=True, exist_ok=True)
            (expected / path).write_bytes(data)
        if not existed:
            pytest.fail(f"wrote the missing golden {expected}; look at it and run again")
    assert sorted(got) == sorted(_files(expected))
    for path, data in got.items():
        assert data.decode() == (expected / path).read_text(encoding="utf-8"), path


def test_every_golden_has_an_example() -> None:
    names = {e.name for e in EXAMPLES}
    assert sorted(p.name for p in GOLDEN.iterdir() if p.name not in names) == []


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_pages_cover_the_project(example: Path, tmp_path: Path) -> None:
    assert invoke(["docs", "--out", str(tmp_path)], example).exit_code == 0
    pipelines = sorted(p.stem for p in (tmp_path / "pipelines").glob("*.md"))
    index = (tmp_path / "index.md").read_text()
    for name in pipelines:
        assert f"(pipelines/{name}.md)" in index
        assert "```mermaid\nflowchart LR\n" in (tmp_path / "pipelines" / f"{name}.md").read_text()
    for page in tmp_path.rglob("*.md"):
        width = None
        for line in page.read_text().splitlines():
            if not line.startswith("|"):
                width = None
                continue
            width = width or len(_cells(line))
            assert len(_cells(line)) == width, f"{page.name}: {line}"


def test_output_is_the_same_under_any_hash_seed(tmp_path: Path) -> None:
    example = EXAMPLES[-1]
    outs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        target = tmp_path / seed
        proc = subprocess.run([sys.executable, "-m", "pipec", "docs", "--out", str(target)], cwd=example,
                              capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outs.append(_files(target))
    assert outs[0] == outs[1] and outs[0]


# ---------------------------------------------------------------- escaping


def test_cell_has_no_table_syntax() -> None:
    text = "a | b\nc `d` <e>\r\nf\\|"
    escaped = docgen.cell(text)
    assert "\n" not in escaped and "\r" not in escaped and "<e>" not in escaped
    assert not UNESCAPED_PIPE.search(escaped) and not re.search(r"(?<!\\)`", escaped)
    assert _cells("| " + " | ".join([escaped, docgen.code_cell("x|y"), docgen.code_cell("`z`")]) + " |") == \
        [f" {escaped} ", " `x\\|y` ", " \\`z\\` "]


def test_fence_is_longer_than_any_backtick_run() -> None:
    lines = docgen.fence("a ```` b", "pipe")
    assert lines[0] == "`````pipe" and lines[-1] == "`````"


PROJECT = '''import "std/runners"
platform { registry = "r.example.com/etl" }
environment local { operator = docker }
/// Acme | Corp
tenant acme {
  schema = "acme"
  namespace = "tenant-acme"
  quota = { cpu = "4", memory = "16Gi", pods = 10 }
  secret source = k8s_secret("acme-source", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
}
/// The pipeline doc: *Markdown* | kept as written.
pipeline p {
  tenants = [acme]
  schedule = manual
  bronze {
    /// reads a | b
    /// and `c` on a second line
    task a = postgres_extract(table = "a")
  }
}
'''


def test_pipe_and_newline_in_a_task_doc_stay_in_one_cell(tmp_path: Path) -> None:
    (tmp_path / "main.pipe").write_text(PROJECT)
    out = invoke(["docs", "--out", "docs", "main.pipe"], tmp_path)
    assert out.exit_code == 0, out.stdout + out.stderr
    page = (tmp_path / "docs" / "pipelines" / "p.md").read_text()
    assert "The pipeline doc: *Markdown* | kept as written.\n" in page
    (row,) = [line for line in page.splitlines() if line.startswith("| `a` |")]
    cells = _cells(row)
    assert len(cells) == 4
    assert cells[3].strip() == "reads a \\| b<br>and \\`c\\` on a second line"
    index = (tmp_path / "docs" / "index.md").read_text()
    assert "[`p`](pipelines/p.md)" in index and "[`acme`](tenants.md#acme)" in index
    assert "Acme | Corp" in (tmp_path / "docs" / "tenants.md").read_text()


# ---------------------------------------------------------------- errors and writing


def test_errors_are_printed_like_check_and_nothing_is_written(tmp_path: Path) -> None:
    (tmp_path / "main.pipe").write_text(
        'import "std/runners"\npipeline p {\n  schedule = manual\n  bronze {\n'
        '    task a = dbt_run(select = "a") after b\n    task b = dbt_run(select = "b") after a\n  }\n}\n')
    out = invoke(["docs", "--color", "never", "--out", "docs", "main.pipe"], tmp_path)
    check = invoke(["check", "--color", "never", "main.pipe"], tmp_path)
    assert out.exit_code == check.exit_code == 1
    assert out.stdout == check.stdout and "error[" in out.stdout
    assert "error: docs failed" in out.stderr
    assert not (tmp_path / "docs").exists()


def test_rerun_is_unchanged_and_foreign_files_are_refused(tmp_path: Path) -> None:
    example = EXAMPLES[0]
    target = tmp_path / "docs"
    assert invoke(["docs", "--out", str(target)], example).exit_code == 0
    before = _files(target)
    again = invoke(["docs", "--out", str(target)], example)
    assert again.exit_code == 0 and "wrote 0 files" in again.stderr
    assert _files(target) == before
    other = tmp_path / "other"
    other.mkdir()
    (other / "index.md").write_text("mine\n")
    refused = invoke(["docs", "--out", str(other)], example)
    assert refused.exit_code == 1 and refused.stdout.startswith("error[E721]: refusing to overwrite")
    assert _files(other) == {"index.md": b"mine\n"}
