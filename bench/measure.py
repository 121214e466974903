"""Timing one command in a child process: wall time, CPU time (user + system) and peak memory.

CPU time comes from ``os.wait4``'s resource usage of that very child, so other
processes on a shared machine do not inflate it the way they inflate wall time.
The system part is also kept apart (``sys``): it is the kernel's work for the
command, mostly creating files, which on some file systems (this VM's ext4 after
a mass deletion) varies tenfold between minutes while the command's own work
does not.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True)
class Sample:
    """One run: seconds of wall and CPU time, peak resident memory in MB, exit code, and
    the system part of the CPU time."""

    wall: float
    cpu: float
    rss_mb: float
    code: int
    sys: float = 0.0


@dataclass(frozen=True)
class Stat:
    """The median of several samples (and how many)."""

    wall: float
    cpu: float
    rss_mb: float
    runs: int
    sys: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


class CommandFailed(Exception):
    """A measured command exited with a code it should not have."""


def run(cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)) -> Sample:
    """Run ``cmd`` once, its output discarded unless it fails."""
    return run_output(cmd, cwd, env, ok)[0]


def run_output(
    cmd: list[str], cwd: Path, env: dict[str, str] | None = None, ok: tuple[int, ...] = (0,)
) -> tuple[Sample, str]:
    """Run ``cmd`` once: its sample and its standard output."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    usage = proc_usage.pop(proc.pid, None)
    if usage is None:  # communicate() reaped it; fall back to the children total
        raise RuntimeError("no resource usage")
    if proc.returncode not in ok:
        output = f"{out.decode()[-2000:]}\n{err.decode()[-2000:]}"
        raise CommandFailed(f"{' '.join(cmd)} exited {proc.returncode} in {cwd}:\n{output}")
    sample = Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, proc.returncode, usage.ru_stime)
    return sample, out.decode()


proc_usage: dict[int, object] = {}


def _patch_wait() -> None:
    """Make subprocess reap children with ``os.wait4`` and keep each child's rusage."""
    original = subprocess.Popen._try_wait

    def _try_wait(self, wait_flags):
        try:
            pid, sts, usage = os.wait4(self.pid, wait_flags)
        except ChildProcessError:
            return original(self, wait_flags)
        if pid == self.pid:
            proc_usage[pid] = usage
        return pid, sts

    subprocess.Popen._try_wait = _try_wait


_patch_wait()


def median(samples: list[Sample]) -> Stat:
    return Stat(
        wall=statistics.median(s.wall for s in samples),
        cpu=statistics.median(s.cpu for s in samples),
        rss_mb=max(s.rss_mb for s in samples),
        runs=len(samples),
        sys=statistics.median(s.sys for s in samples),
    )


def pipec(python: str) -> list[str]:
    """The command that runs pipec with ``python``."""
    return [python, "-m", "pipec"]


def child_env(src: Path | None) -> dict[str, str]:
    """The environment of measured commands; ``src`` puts another pipec checkout first.

    Python may use and write bytecode caches, as for an installed pipec (see
    :func:`compile_bytecode`); PYTHONDONTWRITEBYTECODE, set on the development
    machines, would make every measured command compile pipec's sources again.
    """
    env = dict(os.environ)
    env.pop("PIPEC_DEBUG", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if src is not None:
        env["PYTHONPATH"] = str(src) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def compile_bytecode(python: str, src: Path | None = None) -> None:
    """Byte-compile pipec's sources (``src`` or this checkout's), as ``pip install`` does.

    A user's pipec runs from cached bytecode; without this, the first measured
    run (or every run, under PYTHONDONTWRITEBYTECODE) would also compile some
    150 modules, about 0.2 s of CPU that no installed pipec spends.
    """
    package = (src or Path(__file__).resolve().parents[1] / "compiler") / "pipec"
    subprocess.run([python, "-m", "compileall", "-q", str(package)], check=True, env=child_env(src))


def interpreter() -> str:
    return sys.executable
