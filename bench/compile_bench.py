"""Compile benchmarks on a synthetic project: cold, no-op, one-tenant edit, --check, memory."""

from __future__ import annotations

import shutil
from pathlib import Path

import generate
import measure


CHECK_CMD_UP_TO = 2000  # `pipec check` is timed up to this size (it is no target)


def project(work: Path, total: int) -> tuple[Path, generate.Shape]:
    """A fresh synthetic project of about ``total`` tasks under ``work``."""
    shape = generate.shape_for(total)
    root = work / f"project-{shape.total}"
    shutil.rmtree(root, ignore_errors=True)
    generate.write_project(root, shape)
    return root, shape


def set_aside(folder: Path, work: Path) -> None:
    """Move ``folder`` (a previous run's outputs) out of the way, to be deleted with ``work`` at the end.

    Not deleted now: after tens of thousands of files are deleted, ext4 allocates new inodes
    slowly for a few minutes (it skips recently deleted ones, reading the inode table to find
    them), which would charge this cleanup to the next compile's system time (10 s of a
    20,000-task compile measured so). A CI checkout compiling into a fresh folder pays none of it.
    """
    if folder.exists():
        trash = work / "set-aside"
        trash.mkdir(exist_ok=True)
        folder.rename(trash / f"{folder.parent.name}-{len(list(trash.iterdir()))}")


def compile_suite(work: Path, total: int, repeats: int, python: str, src: Path | None) -> dict:
    """Median timings of the compile commands on a project of ``total`` tasks (env prod)."""
    root, shape = project(work, total)
    env = measure.child_env(src)
    cmd = measure.pipec(python)
    runs: dict[str, list[measure.Sample]] = {"cold": [], "noop": [], "check": [], "edit": [], "check_cmd": []}
    for r in range(repeats):
        set_aside(root / "build", work)
        runs["cold"].append(measure.run(cmd + ["compile"], root, env))
        runs["noop"].append(measure.run(cmd + ["compile"], root, env))
        runs["check"].append(measure.run(cmd + ["compile", "--check"], root, env))
        generate.edit_tenant(root, shape, shape.tenants // 2, r + 1)
        runs["edit"].append(measure.run(cmd + ["compile"], root, env))
        if total <= CHECK_CMD_UP_TO:
            runs["check_cmd"].append(measure.run(cmd + ["check"], root, env))
    files = sum(1 for p in (root / "build").rglob("*") if p.is_file())
    result = {name: measure.median(samples).as_dict() for name, samples in runs.items() if samples}
    return {"tasks": shape.total, "shape": str(shape), "files": files, **result}
