"""pipec vs Cosmos on one synthetic dbt project: compile time, and DAG parse time.

    python bench/dbt/run.py [--models 2000] [--repeat 3] [--pipec-mode run_then_test|build]
                            [--cosmos-tests after_each|build] [--cosmos-python PATH] [--no-cosmos] [--json OUT]

Run with pipec's venv Python (`make bench-dbt` does: it builds the Cosmos venv,
.venv-bench-cosmos, first: Cosmos is a bench-only dependency). Steps:

1. bench/dbt/synth.py writes a project of N models (manifest + .pipe, its `dbt`
   block in --pipec-mode).
2. `pipec check` and `pipec compile --env prod` run in fresh processes (CLI
   start-up included, from pipec's cached bytecode as an installed pipec runs),
   cold: each compile writes into a fresh output folder and the compile cache is
   off (PIPEC_NO_CACHE=1).
3. Airflow's DagBag parses pipec's generated DAG file (pipec's venv) and a
   Cosmos DbtDag over the same manifest (Cosmos' venv, the same Airflow), each in
   a fresh process (bench/dbt/parse_one.py: Airflow preloaded, as in a DAG
   processor). Both DAGs hold KubernetesPodOperator tasks (see "Pairings"
   below for how many). First parses (the file's source compiled) and, under "again",
   parses that find its bytecode cached (the DAG processor's every later parse),
   in rounds: each round parses each side both ways, the sides taking turns.
   After each parse the DAG is serialized (``DagSerialization.to_dict``), as
   Airflow 3's DAG processor does after every parse; "processor" figures are
   parse and serialization together.

`--no-cosmos` runs steps 1, 2 and pipec's side of 3 only (no Cosmos venv needed).

Pairings: how each side runs a node's tests, on the same manifest. pipec's
`dbt` block has `mode = run_then_test` (a run task and a test task per model)
or `mode = build` (its default: one `dbt build --select NODE` task per node);
Cosmos has TestBehavior.AFTER_EACH (its default: a run and a test task per
model) or TestBehavior.BUILD (one `dbt build` task per node). --pipec-mode and
--cosmos-tests choose them; the JSON records both, the pairing's name (see
PAIRINGS) and each DAG's task count:

- `--pipec-mode run_then_test --cosmos-tests after_each` (the default, like for
  like with tests after each model: the bench's figures before pairings);
- `--pipec-mode build --cosmos-tests build` (like for like, a task per node);
- `--pipec-mode build --cosmos-tests after_each` (each tool's default).

Each figure is the median of --repeat runs, wall-clock and CPU seconds (CPU is
the steadier figure on a shared machine); each speed-up is the median of the
rounds' own ratios (``runs`` in the JSON holds every parse).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(HERE), str(HERE.parent)]
import measure  # noqa: E402
import synth  # noqa: E402


def median(runs: list[tuple[float, float]]) -> dict:
    """Medians of (wall, CPU) pairs (the parses' own timings, as parse_one.py reports them)."""
    return {"wall": statistics.median(r[0] for r in runs), "cpu": statistics.median(r[1] for r in runs)}


def _stat(samples: list[measure.Sample]) -> dict:
    """Medians of whole-process runs: wall, CPU (this child's own), peak memory."""
    return measure.median(samples).as_dict()


def bench_compile(project: Path, repeat: int) -> dict:
    pipec = str(Path(sys.executable).parent / "pipec")
    cold = {**measure.child_env(None), "PIPEC_NO_CACHE": "1"}  # every run reads the manifest and plans again
    check = [measure.run([pipec, "check"], project, cold) for _ in range(repeat)]
    compile_runs = []
    for r in range(repeat):  # a fresh output folder each run; all are deleted at the end (see set_aside)
        command = [pipec, "compile", "--env", "prod", "--out", f"build-{r}"]
        compile_runs.append(measure.run(command, project, cold))
    shutil.rmtree(project / "build", ignore_errors=True)
    (project / f"build-{repeat - 1}").rename(project / "build")  # the DAG file the parse step reads
    for r in range(repeat - 1):
        shutil.rmtree(project / f"build-{r}", ignore_errors=True)
    return {"check": _stat(check), "compile": _stat(compile_runs)}


def parse(sides: dict[str, tuple[str, Path]], repeat: int) -> dict[str, dict]:
    """DagBag parses of each side's DAG file (side -> (python, file)), in ``repeat`` rounds.

    Each round parses every side once as a first parse and once with the file's
    bytecode cached (``again``), the sides taking turns, so that a drift in the
    machine's speed weighs on all of them alike; per-round ratios between sides
    (see :func:`speedups`) are steadier than ratios of medians.

    A first parse compiles the file's source, as for a new or changed file (or
    for every parse, when the DAG folder keeps no bytecode): it reads a copy of
    the file in a folder that never gets a ``__pycache__``. The DAG processor
    parses every file again every 30 s by default, and Python keeps a DAG file's
    bytecode in ``__pycache__`` beside it (when that folder is writable), so those
    parses skip compiling.
    """
    base = {**os.environ, "AIRFLOW__COSMOS__ENABLE_TELEMETRY": "False"}
    first = {**base, "PYTHONDONTWRITEBYTECODE": "1"}
    again = {k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}
    files: dict[str, dict[str, Path]] = {}
    for side, (python, dag_file) in sides.items():
        copy = dag_file.parent / "first" / dag_file.name
        copy.parent.mkdir()
        shutil.copyfile(dag_file, copy)
        shutil.rmtree(dag_file.parent / "__pycache__", ignore_errors=True)
        _parse_once(python, dag_file, again)  # writes the bytecode
        files[side] = {"first": copy, "again": dag_file}
    runs: dict[str, dict[str, list]] = {side: {"first": [], "again": []} for side in sides}
    for _ in range(repeat):
        for kind, env in (("first", first), ("again", again)):
            for side, (python, _) in sides.items():
                runs[side][kind].append(_parse_once(python, files[side][kind], env))
    result: dict[str, dict] = {}
    for side, (_, dag_file) in sides.items():
        tasks = {r[-1] for r in runs[side]["first"] + runs[side]["again"]}
        if len(tasks) != 1:
            raise SystemExit(f"{dag_file}: the parses found different task counts {sorted(tasks)}")
        first, again = runs[side]["first"], runs[side]["again"]
        result[side] = {**median([r[:2] for r in first]), "again": median([r[:2] for r in again]),
                        "serialize": median([r[2:4] for r in first]),
                        "serialize_again": median([r[2:4] for r in again]),
                        "processor": median([_processor(r) for r in first]),
                        "processor_again": median([_processor(r) for r in again]),
                        "tasks": tasks.pop(),
                        "runs": {kind: [list(r[:4]) for r in found] for kind, found in runs[side].items()}}
    return result


def _processor(run: tuple | list) -> tuple[float, float]:
    """(wall, CPU) of parse and serialization together: what the DAG processor spends on the file."""
    return run[0] + run[2], run[1] + run[3]


def speedups(slow: dict, fast: dict) -> dict[str, float]:
    """How many times faster ``fast`` was than ``slow``: the median over rounds of each
    round's ratio, first parses and (``again_``) cached ones, wall-clock and CPU; for the
    parse alone (``parse_``) and for parse and serialization (``processor_``)."""
    out = {}
    for kind, again in (("first", ""), ("again", "_again")):
        pairs = list(zip(slow["runs"][kind], fast["runs"][kind]))
        for i, key in enumerate(("wall", "cpu")):
            out[f"parse{again}_speedup_{key}"] = statistics.median(s[i] / f[i] for s, f in pairs)
            out[f"processor{again}_speedup_{key}"] = statistics.median(
                _processor(s)[i] / _processor(f)[i] for s, f in pairs)
    return out


def _parse_once(python: str, dag_file: Path, env: dict) -> tuple[float, float, float, float, int]:
    """(wall, CPU) of the parse, (wall, CPU) of the serialization, and the task count."""
    _, out = measure.run_output([python, str(HERE / "parse_one.py"), str(dag_file)], dag_file.parent, env)
    last = json.loads(out.strip().splitlines()[-1])
    if last["errors"] or last["dags"] != 1:
        raise SystemExit(f"{dag_file} did not import: {last['errors']}")
    return last["seconds"], last["cpu"], last["serialize_seconds"], last["serialize_cpu"], last["tasks"]


PIPEC_MODES = synth.MODES
COSMOS_TESTS = ("after_each", "build")  # cosmos.constants.TestBehavior's values
# (pipec mode, Cosmos test behaviour) -> the pairing's name in the JSON
PAIRINGS = {
    ("run_then_test", "after_each"): "tests_after_each",  # like for like, the default
    ("build", "build"): "build_per_node",  # like for like
    ("build", "after_each"): "defaults",  # each tool's default
}


def add_pairing_arguments(parser: argparse.ArgumentParser) -> None:
    """--pipec-mode and --cosmos-tests (run.py and count.py)."""
    parser.add_argument("--pipec-mode", choices=PIPEC_MODES, default="run_then_test",
                        help="the dbt block's mode (default: run_then_test; pipec's own default is build)")
    parser.add_argument("--cosmos-tests", choices=COSMOS_TESTS, default="after_each",
                        help="Cosmos' RenderConfig test_behavior (default: after_each, Cosmos' default)")


def pairing(pipec_mode: str, cosmos_tests: str | None) -> dict:
    """What the JSON records of the pairing; ``cosmos_tests`` None when Cosmos is left out."""
    if cosmos_tests is None:
        return {"pipec_mode": pipec_mode}
    return {"pipec_mode": pipec_mode, "cosmos_test_behavior": cosmos_tests.upper(),
            "pairing": PAIRINGS.get((pipec_mode, cosmos_tests), "mixed")}


def cosmos_dag(project: Path, tests: str = "after_each") -> Path:
    """A Cosmos DbtDag file over the project's manifest (cosmos_dag.py.tmpl), its tests
    run as TestBehavior ``tests`` (one of COSMOS_TESTS)."""
    if tests not in COSMOS_TESTS:
        raise ValueError(f"Cosmos test behaviour {tests!r}: not one of {', '.join(COSMOS_TESTS)}")
    folder = project / "cosmos"
    folder.mkdir()
    dag = folder / "acme__nightly_cosmos.py"
    template = (HERE / "cosmos_dag.py.tmpl").read_text(encoding="utf-8")
    for slot in ("__ROOT__", "__TEST_BEHAVIOR__"):
        if template.count(slot) != 1:
            raise ValueError(f"cosmos_dag.py.tmpl: {slot} should appear once")
    text = template.replace("__ROOT__", repr(str(project))).replace("__TEST_BEHAVIOR__", tests.upper())
    dag.write_text(text, encoding="utf-8")
    return dag


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cosmos-python", default=str(ROOT / ".venv-bench-cosmos" / "bin" / "python"))
    parser.add_argument("--no-cosmos", action="store_true", help="skip the Cosmos DAG (pipec's figures only)")
    add_pairing_arguments(parser)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    measure.compile_bytecode(sys.executable)
    with tempfile.TemporaryDirectory(prefix="bench-dbt-") as tmp:
        project = synth.write(Path(tmp), args.models, args.pipec_mode)
        result = {"models": args.models, "repeat": args.repeat,
                  **pairing(args.pipec_mode, None if args.no_cosmos else args.cosmos_tests),
                  **bench_compile(project, args.repeat)}
        (pipec_dag,) = (project / "build" / "prod").rglob("dags/*.py")
        sides = {"parse_pipec": (sys.executable, pipec_dag)}
        if not args.no_cosmos:
            sides["parse_cosmos"] = (args.cosmos_python, cosmos_dag(project, args.cosmos_tests))
        result.update(parse(sides, args.repeat))
    result["tasks"] = {side.removeprefix("parse_"): result[side]["tasks"] for side in sides}
    if "parse_cosmos" in result:
        result.update(speedups(result["parse_cosmos"], result["parse_pipec"]))
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
