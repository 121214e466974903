"""Instruction counts under valgrind (callgrind): figures that do not drift with the machine.

Wall and CPU seconds on a shared VM drift by up to 2x between hours; the number of
instructions a run executes does not (with a fixed ``PYTHONHASHSEED``). Two ways:

- ``whole(cmd)``: every instruction of a command (``pipec compile``: start-up included).
- ``counted(cmd)``, with a ``Counter`` inside ``cmd``: a tiny C library
  (callgrind's client requests, built with ``cc`` on first use) starts counting at
  ``start()`` and dumps the count at ``stop()``, so only the parse of a DAG file
  (and, apart, its serialization) is counted, not the imports before it. Outside
  valgrind the requests do nothing.

Needs valgrind and a C compiler with valgrind's headers (``valgrind/callgrind.h``).
"""

from __future__ import annotations

import ctypes
import glob
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

_SOURCE = """
#include <valgrind/callgrind.h>
void pipec_count_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_START_INSTRUMENTATION; CALLGRIND_TOGGLE_COLLECT; }
void pipec_count_stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS; CALLGRIND_STOP_INSTRUMENTATION; }
"""
_CACHE = Path(tempfile.gettempdir()) / "pipec-bench-callgrind"
_TOTAL = re.compile(r"^(?:summary|totals):\s*(\d+)", re.M)


class Unavailable(Exception):
    """valgrind, a C compiler or callgrind.h is missing, or the command failed under valgrind."""


def library() -> Path:
    """The client-request library, built once per machine."""
    lib = _CACHE / "libpipeccount.so"
    if lib.is_file():
        return lib
    compiler = shutil.which("cc") or shutil.which("gcc")
    if shutil.which("valgrind") is None or compiler is None:
        raise Unavailable("instruction counts need valgrind and a C compiler")
    _CACHE.mkdir(parents=True, exist_ok=True)
    source = _CACHE / f"pipeccount.{os.getpid()}.c"
    partial = _CACHE / f"libpipeccount.{os.getpid()}.so"
    source.write_text(_SOURCE, encoding="utf-8")
    built = subprocess.run([compiler, "-O2", "-shared", "-fPIC", "-o", str(partial), str(source)],
                           capture_output=True, text=True)
    source.unlink()
    if built.returncode != 0:
        raise Unavailable(f"cannot build the callgrind helper (is valgrind/callgrind.h installed?):\n{built.stderr}")
    os.replace(partial, lib)  # whole: another process may be loading it
    return lib


class Counter:
    """Callgrind client requests from Python (``PIPEC_COUNT_LIB`` names the library)."""

    def __init__(self, lib: str) -> None:
        self._lib = ctypes.CDLL(lib)

    def start(self) -> None:
        self._lib.pipec_count_start()

    def stop(self) -> None:
        self._lib.pipec_count_stop()


def counter_from_env() -> Counter | None:
    lib = os.environ.get("PIPEC_COUNT_LIB")
    return Counter(lib) if lib else None


def _valgrind(cmd: list[str], cwd: Path | None, env: dict[str, str], counted: bool) -> tuple[list[int], str]:
    """Run ``cmd`` under callgrind: the totals of its dumps (the whole run's first, then
    each ``Counter.stop()``'s), and its standard output."""
    with tempfile.TemporaryDirectory(prefix="pipec-callgrind-") as tmp:
        out = os.path.join(tmp, "cg.out")
        flags = ["--instr-atstart=no", "--collect-atstart=no"] if counted else []
        proc = subprocess.run(
            ["valgrind", "--tool=callgrind", *flags, f"--callgrind-out-file={out}.%p", *cmd],
            cwd=cwd, env={**env, "PYTHONHASHSEED": "0"}, capture_output=True, text=True)
        if proc.returncode != 0:
            raise Unavailable(f"{' '.join(cmd)} exited {proc.returncode} under valgrind:\n{proc.stderr[-3000:]}")
        dumps = sorted(glob.glob(out + ".*"), key=lambda f: (f.count("."), int(f.rsplit(".", 1)[1])))
        totals = []
        for dump in dumps:
            found = _TOTAL.search(Path(dump).read_text(encoding="utf-8", errors="replace"))
            totals.append(int(found.group(1)) if found else 0)
        return totals, proc.stdout


def whole(cmd: list[str], cwd: Path | None, env: dict[str, str]) -> int:
    """Every instruction ``cmd`` executes."""
    totals, _ = _valgrind(cmd, cwd, env, counted=False)
    return totals[0]


def counted(cmd: list[str], cwd: Path | None, env: dict[str, str]) -> tuple[list[int], str]:
    """The counts between each ``Counter.start()`` and ``stop()`` of ``cmd``, and its output."""
    totals, stdout = _valgrind(cmd, cwd, {**env, "PIPEC_COUNT_LIB": str(library())}, counted=True)
    return totals[1:], stdout
