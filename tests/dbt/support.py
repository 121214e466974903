"""Shared by the dbt tests: the example's dbt project, `dbt ls` through the real dbt,
and compiling a `dbt` block with a chosen selection."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "shop_dbt"
PROJECT = EXAMPLE / "dbt"
MANIFEST = PROJECT / "target" / "manifest.json"
DBT_PYTHON = ROOT / ".venv-dbt" / "bin" / "python"
BUILDABLE = ("model", "seed", "snapshot")


def dbt_ls(pairs: list[tuple[str, str]], tmp: Path, project: Path = PROJECT) -> list[dict]:
    """`dbt ls --select S --exclude E` for each pair, run by dbt itself (one process)."""
    assert DBT_PYTHON.exists(), "dbt is not installed: run `make dbt-manifests`"
    out = tmp / "ls.json"
    proc = subprocess.run([str(DBT_PYTHON), str(Path(__file__).parent / "dbt_ls.py"), str(project),
                           json.dumps(pairs), str(out)], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def dbt_parse(project: Path) -> None:
    dbt = DBT_PYTHON.parent / "dbt"
    proc = subprocess.run([str(dbt), "parse", "--quiet", "--no-partial-parse", "--profiles-dir", ".",
                           "--project-dir", ".", "--log-path", "target/logs"], cwd=project,
                          capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def example_with(tmp: Path, select: str = "", exclude: str = "", mode: str = "build") -> Path:
    """The example's main.pipe in ``tmp`` with another selection and mode (same dbt project)."""
    text = (EXAMPLE / "main.pipe").read_text(encoding="utf-8")
    lines = [f'  manifest = "{MANIFEST.as_posix()}"', f"  mode = {mode}"]
    lines += [f'  select = "{select}"'] if select else []
    lines += [f'  exclude = "{exclude}"'] if exclude else []
    text = re.sub(r"  mode = .*\n", "", text, count=1)
    text = re.sub(r'  exclude = .*\n', "", text, count=1)
    text = re.sub(r'  manifest = .*\n', "\n".join(lines) + "\n", text, count=1)
    (tmp / "pipec.toml").write_text('entry = ["main.pipe"]\n', encoding="utf-8")
    (tmp / "main.pipe").write_text(text, encoding="utf-8")
    return tmp / "main.pipe"


def compiled(tmp: Path, env: str = "prod", **kw):
    """The IR DAG of the example compiled with another selection (see ``example_with``)."""
    from pipec.driver import analyze

    entry = example_with(tmp, **kw)
    result = analyze([entry], tmp, env)
    assert result.project is not None, [f"{d.code} {d.message}" for d in result.errors]
    (dag,) = result.project.dags
    return dag
