"""bench/instructions.py counts what it says: only the instructions between a
``Counter``'s ``start()`` and ``stop()``, under real valgrind (the dbt bench's
instruction figures, docs/dbt.md, come from it)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"
sys.path.insert(0, str(BENCH))

import instructions  # noqa: E402

pytestmark = pytest.mark.slow

WORK = f"""
import sys
sys.path.insert(0, {str(BENCH)!r})
from instructions import counter_from_env

def work(n):
    return sum(i * i for i in range(n))

counter = counter_from_env()
work(400_000)  # before counting: not counted
for n in (20_000, 40_000):
    if counter:
        counter.start()
    work(n)
    if counter:
        counter.stop()
print("done")
"""


@pytest.fixture(scope="module")
def script(tmp_path_factory) -> Path:
    try:
        instructions.library()
    except instructions.Unavailable as err:
        pytest.fail(f"{err} (valgrind is on every machine of this project's kind)")
    path = tmp_path_factory.mktemp("count") / "work.py"
    path.write_text(WORK, encoding="utf-8")
    return path


def test_counts_only_between_start_and_stop(script):
    (small, large), out = instructions.counted([sys.executable, str(script)], None, dict(os.environ))
    assert out.strip() == "done"
    assert 1.7 < large / small < 2.3  # twice the work, twice the count
    whole = instructions.whole([sys.executable, str(script)], None, dict(os.environ))
    assert whole > 5 * (small + large)  # start-up and the uncounted work are left out


def test_requests_do_nothing_outside_valgrind(script):
    env = {**os.environ, "PIPEC_COUNT_LIB": str(instructions.library())}
    done = subprocess.run([sys.executable, str(script)], env=env, capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "done"


def test_counts_repeat(script):
    runs = [instructions.counted([sys.executable, str(script)], None, dict(os.environ))[0] for _ in range(2)]
    for first, second in zip(*runs):  # a fixed hash seed: the same count, give or take memory layout
        assert abs(first - second) <= first / 1000
