"""pipec vs Cosmos in instructions (valgrind): the figures of run.py that do not drift.

    python bench/dbt/count.py [--models 2000] [--pipec-mode run_then_test|build]
                              [--cosmos-tests after_each|build] [--cosmos-python PATH] [--no-cosmos] [--json OUT]

Run with pipec's venv Python (`make bench-dbt-count`). On the project run.py
benchmarks (synth.py), counts with a fixed hash seed:

- `pipec compile --env prod`: the whole process (start-up, from cached bytecode;
  cold: PIPEC_NO_CACHE=1, a fresh output folder);
- for pipec's DAG file and Cosmos' DbtDag over the same manifest, the DagBag
  parse alone (Airflow imported before counting starts, the garbage collector
  frozen as the DAG processor's manager leaves it: bench/dag_processor.py), first
  (the source compiled) and with the file's bytecode cached, and the
  serialization of the DAG after it.

--pipec-mode and --cosmos-tests pair the two sides as in run.py (its docstring,
"Pairings"); the JSON records them and each DAG's task count.

Slow (valgrind runs Python some 50x slower): about 50 minutes at 2,000 models with
Cosmos, 15 without. Needs valgrind and a C compiler with valgrind's headers
(bench/instructions.py).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(HERE.parent)]
import instructions  # noqa: E402
import measure  # noqa: E402
import synth  # noqa: E402
from run import add_pairing_arguments, cosmos_dag, pairing  # noqa: E402


def count_compile(project: Path) -> int:
    pipec = str(Path(sys.executable).parent / "pipec")
    env = {**measure.child_env(None), "PIPEC_NO_CACHE": "1"}
    return instructions.whole([pipec, "compile", "--env", "prod", "--out", "build"], project, env)


def count_parse(python: str, dag_file: Path) -> dict:
    """First and cached parse, and the serialization after the cached one, of ``dag_file``."""
    base = {**os.environ, "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False"}
    first_env = {**base, "PYTHONDONTWRITEBYTECODE": "1"}
    again_env = {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}
    parse_one = [python, str(HERE / "parse_one.py")]
    shutil.rmtree(dag_file.parent / "__pycache__", ignore_errors=True)
    (first, _), out = instructions.counted([*parse_one, str(dag_file)], None, first_env)
    _check(dag_file, out)
    measure.run([*parse_one, str(dag_file)], dag_file.parent, again_env)  # writes the bytecode
    (again, serialize), out = instructions.counted([*parse_one, str(dag_file)], None, again_env)
    return {"first": first, "again": again, "serialize": serialize, "tasks": _check(dag_file, out)}


def _check(dag_file: Path, out: str) -> int:
    """The task count parse_one.py reported; exits if the parse had import errors."""
    report = json.loads(out.strip().splitlines()[-1])
    if report["errors"]:
        raise SystemExit(f"{dag_file}: {report['errors']}")
    return report["tasks"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--cosmos-python", default=str(ROOT / ".venv-bench-cosmos" / "bin" / "python"))
    parser.add_argument("--no-cosmos", action="store_true", help="skip the Cosmos DAG (pipec's figures only)")
    add_pairing_arguments(parser)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    measure.compile_bytecode(sys.executable)
    with tempfile.TemporaryDirectory(prefix="bench-dbt-count-") as tmp:
        project = synth.write(Path(tmp), args.models, args.pipec_mode)
        result = {"models": args.models, **pairing(args.pipec_mode, None if args.no_cosmos else args.cosmos_tests),
                  "compile": count_compile(project)}
        (pipec_dag,) = (project / "build" / "prod").rglob("dags/*.py")
        result["parse_pipec"] = count_parse(sys.executable, pipec_dag)
        result["tasks"] = {"pipec": result["parse_pipec"]["tasks"]}
        if not args.no_cosmos:
            result["parse_cosmos"] = count_parse(args.cosmos_python, cosmos_dag(project, args.cosmos_tests))
            result["tasks"]["cosmos"] = result["parse_cosmos"]["tasks"]
            pipec, cosmos = result["parse_pipec"], result["parse_cosmos"]
            result["parse_speedup"] = {kind: round(cosmos[kind] / pipec[kind], 2) for kind in ("first", "again")}
            result["processor_speedup"] = {
                kind: round((cosmos[kind] + cosmos["serialize"]) / (pipec[kind] + pipec["serialize"]), 2)
                for kind in ("first", "again")}
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    try:
        main()
    except instructions.Unavailable as err:
        raise SystemExit(f"count.py: {err}") from None
