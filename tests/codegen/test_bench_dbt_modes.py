"""bench/dbt pairs pipec's `dbt` modes with Cosmos' test behaviours as asked:
synth.py writes the mode into the `.pipe`, the Cosmos DAG file gets the test
behaviour from run.py (the template hard-codes none), and a tiny project runs
through run.py with a non-default pairing, its JSON naming the pairing and
both DAGs' task counts (docs/dbt.md's Performance figures come from run.py)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DBT_BENCH = ROOT / "bench" / "dbt"
COSMOS_PYTHON = ROOT / ".venv-bench-cosmos" / "bin" / "python"


def _load(name: str):
    """bench/dbt's module ``name``, under a name of its own (bench/run.py is also `run`)."""
    spec = importlib.util.spec_from_file_location(f"bench_dbt_{name}", DBT_BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    path = list(sys.path)
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path[:] = path  # run.py puts bench/ and bench/dbt/ first
    return module


synth = _load("synth")
run = _load("run")


@pytest.mark.parametrize("mode", ["run_then_test", "build"])
def test_synth_writes_the_mode(mode: str, tmp_path: Path) -> None:
    project = synth.write(tmp_path, 20, mode)
    text = (project / "main.pipe").read_text(encoding="utf-8")
    assert f"\n  mode = {mode}\n" in text and "__MODE__" not in text
    assert text.count("mode =") == 1


def test_synth_keeps_run_then_test_as_its_default_and_refuses_other_modes(tmp_path: Path) -> None:
    assert synth.pipe() == synth.pipe("run_then_test")
    assert "mode = run_then_test" in (synth.write(tmp_path, 20) / "main.pipe").read_text(encoding="utf-8")
    with pytest.raises(ValueError, match="after_each"):
        synth.pipe("after_each")


@pytest.mark.parametrize(("mode", "runs", "absent"), [("build", "dbt build --select", "dbt test --select"),
                                                      ("run_then_test", "dbt run --select", "dbt build --select")])
def test_pipec_compiles_the_written_mode(mode: str, runs: str, absent: str, tmp_path: Path) -> None:
    from pipec.codegen import generate
    from pipec.driver import analyze

    project = synth.write(tmp_path, 20, mode)
    analysis = analyze([project / "main.pipe"], project, "prod")
    assert analysis.project is not None and not analysis.errors, [d.message for d in analysis.errors]
    (dag,) = [data.decode() for path, data in generate(analysis.project).items() if path.endswith(".py")]
    assert runs in dag and absent not in dag


@pytest.mark.parametrize(("tests", "member"), [("after_each", "AFTER_EACH"), ("build", "BUILD")])
def test_the_cosmos_dag_gets_the_test_behaviour(tests: str, member: str, tmp_path: Path) -> None:
    template = (DBT_BENCH / "cosmos_dag.py.tmpl").read_text(encoding="utf-8")
    assert "test_behavior=TestBehavior.__TEST_BEHAVIOR__)" in template  # substituted, not hard-coded
    text = run.cosmos_dag(tmp_path, tests).read_text(encoding="utf-8")
    assert f"test_behavior=TestBehavior.{member})" in text
    assert "__" + "TEST_BEHAVIOR" not in text and "__ROOT__" not in text
    assert f"ROOT = Path({str(tmp_path)!r})" in text
    compile(text, "acme__nightly_cosmos.py", "exec")


def test_the_cosmos_dag_refuses_an_unknown_behaviour(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="after_all"):
        run.cosmos_dag(tmp_path, "after_all")


def test_pairings_are_named_in_the_json() -> None:
    assert run.pairing("run_then_test", "after_each") == {
        "pipec_mode": "run_then_test", "cosmos_test_behavior": "AFTER_EACH", "pairing": "tests_after_each"}
    assert run.pairing("build", "build")["pairing"] == "build_per_node"
    assert run.pairing("build", "after_each")["pairing"] == "defaults"
    assert run.pairing("run_then_test", "build")["pairing"] == "mixed"
    assert run.pairing("build", None) == {"pipec_mode": "build"}  # --no-cosmos


@pytest.mark.slow
def test_run_py_measures_the_build_pairing(tmp_path: Path) -> None:
    """A tiny project through run.py in build mode: one task per node (20 models and
    synth's 20 seeds), every figure there. With the Cosmos venv (`make bench-dbt`
    builds it), Cosmos' side too, in BUILD; without it (`make test` does not build
    it), pipec's side alone, as `--no-cosmos` runs it."""
    cosmos = COSMOS_PYTHON.exists()
    out = tmp_path / "build.json"
    sides = ["--cosmos-tests", "build"] if cosmos else ["--no-cosmos"]
    subprocess.run([sys.executable, str(DBT_BENCH / "run.py"), "--models", "20", "--repeat", "1",
                    "--pipec-mode", "build", *sides, "--json", str(out)],
                   cwd=ROOT, check=True, capture_output=True, timeout=900)
    result = json.loads(out.read_text(encoding="utf-8"))
    nodes = 20 + synth.SEEDS
    assert result["pipec_mode"] == "build"
    assert result["parse_pipec"]["tasks"] == result["tasks"]["pipec"] == nodes
    assert result["parse_pipec"]["cpu"] > 0 and result["parse_pipec"]["again"]["cpu"] > 0
    assert result["compile"]["runs"] == result["check"]["runs"] == 1
    if not cosmos:
        assert "parse_cosmos" not in result and "cosmos" not in result["tasks"]
        return
    assert (result["cosmos_test_behavior"], result["pairing"]) == ("BUILD", "build_per_node")
    assert result["tasks"]["cosmos"] == result["parse_cosmos"]["tasks"] == nodes
    for key in ("parse_speedup_cpu", "parse_again_speedup_cpu", "processor_speedup_cpu"):
        assert result[key] > 0
