"""The pipec benchmark: one command, every figure of docs/performance.md.

    python bench/run.py            # the default run (a few minutes), writes docs/performance.md
    python bench/run.py --quick    # smaller sizes and fewer repeats (about a minute)
    make bench                     # installs the bench-only dependencies, then the default run

Measured, each in fresh child processes, medians over repeated runs: compile
(cold, no-op, one-tenant edit, --check) over growing synthetic projects, peak
memory; Airflow's DagBag parse of pipec's DAGs, of the same graph as dag-factory
YAML and as a minimal static file (checked to be identical graphs); language
server edit-to-diagnostics latency; ``pipec fmt`` on 5,000 lines; ``pipec --help``.

``--pipec-src DIR`` measures another checkout's ``compiler/`` folder (how the
"before" figures were taken) and ``--label`` names the result file
(bench/results/LABEL.json). The report compares the run with bench/results/before.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import compile_bench  # noqa: E402
import generate  # noqa: E402
import measure  # noqa: E402

REPO = BENCH.parent
RESULTS = BENCH / "results"

FULL = {"sizes": [(10, 3), (500, 3), (2000, 3), (5000, 1), (20000, 1)], "dagbag": 2, "lsp": 8, "fmt": 3,
        "help": 7}
QUICK = {"sizes": [(10, 3), (2000, 3)], "dagbag": 1, "lsp": 5, "fmt": 3, "help": 5}
FMT_LINES = 5000
DAGBAG_TASKS = 2000


def dagbag_suite(work: Path, build_env: Path, repeats: int, python: str, only: list[str],
                 earlier: dict | None) -> dict:
    """DagBag parse, then serialization, of the variants of the DAGs under ``build_env``; their
    graphs must agree.

    Variants not in ``only`` keep their ``earlier`` figures (marked ``"reused": true``).
    """
    import variants

    folders = variants.write_variants(build_env, work / "dagbag")
    out: dict = {k: {**v, "reused": True} for k, v in (earlier or {}).items() if isinstance(v, dict)}
    graphs = {}
    for name, folder in folders.items():
        if name not in only:
            continue
        samples = []
        for r in range(repeats):
            target = work / f"probe-{name}.json"
            measure.run([python, str(BENCH / "probe_dagbag.py"), str(folder), str(target)], work)
            data = json.loads(target.read_text(encoding="utf-8"))
            if data["errors"] or not data["dags"]:
                raise SystemExit(f"DagBag could not import the {name} variant: {data['errors']}")
            samples.append(data)
            graphs[name] = data["graph"]
        out[name] = {
            "wall": _median([s["wall"] for s in samples]),
            "cpu": _median([s["cpu"] for s in samples]),
            "serialize_wall": _median([s["serialize_wall"] for s in samples]),
            "serialize_cpu": _median([s["serialize_cpu"] for s in samples]),
            "dags": samples[0]["dags"],
            "tasks": sum(len(g) for g in graphs[name].values()),
            "runs": repeats,
        }
    first = next(iter(graphs.values()))
    out["identical_graphs"] = all(g == first for g in graphs.values())
    out["compared"] = sorted(graphs)
    if not out["identical_graphs"]:
        raise SystemExit("the three DagBag variants do not describe the same graph")
    return out


def fmt_suite(work: Path, repeats: int, python: str, src: Path | None) -> dict:
    path = work / "fmt" / "big.pipe"
    path.parent.mkdir(parents=True, exist_ok=True)
    text = generate.fmt_file(FMT_LINES)
    samples = []
    for _ in range(repeats):
        path.write_text(text, encoding="utf-8")
        samples.append(measure.run(measure.pipec(python) + ["fmt", str(path)], path.parent, measure.child_env(src)))
    return {"lines": text.count("\n"), **measure.median(samples).as_dict()}


def help_suite(work: Path, repeats: int, python: str, src: Path | None) -> dict:
    samples = [measure.run(measure.pipec(python) + ["--help"], work, measure.child_env(src)) for _ in range(repeats)]
    return measure.median(samples).as_dict()


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def environment() -> dict:
    import os

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load": list(os.getloadavg()),
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description="Run the pipec benchmark and write docs/performance.md.")
    parser.add_argument("--quick", action="store_true", help="smaller sizes, fewer repeats")
    parser.add_argument("--label", default="after", help="result file name under bench/results (default: after)")
    parser.add_argument("--pipec-src", type=Path, help="measure this compiler/ folder instead of the installed pipec")
    parser.add_argument("--only", nargs="*", default=["compile", "micro", "dagbag", "lsp", "fmt", "help"],
                        help="run only these parts")
    parser.add_argument("--no-report", action="store_true", help="do not write docs/performance.md")
    parser.add_argument("--dagbag-variants", nargs="*", default=["pipec", "dagfactory", "minimal"],
                        help="parse only these variants (with --merge, the others keep their earlier figures)")
    parser.add_argument("--merge", action="store_true", help="update bench/results/LABEL.json instead of replacing it")
    args = parser.parse_args()
    plan = QUICK if args.quick else FULL
    python = measure.interpreter()
    src = args.pipec_src.resolve() if args.pipec_src else None
    measure.compile_bytecode(python, src)
    work = Path(tempfile.mkdtemp(prefix="pipec-bench-"))
    target = RESULTS / f"{args.label}.json"
    result: dict = {"label": args.label, "quick": args.quick, "environment": environment()}
    if args.merge and target.is_file():
        result = {**json.loads(target.read_text(encoding="utf-8")), "label": args.label}
    def save() -> None:
        RESULTS.mkdir(exist_ok=True)
        target.write_text(json.dumps(result, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    try:
        if "compile" in args.only:
            result["compile"] = []
            for total, repeats in plan["sizes"]:
                print(f"compile: {total} tasks x {repeats}", file=sys.stderr, flush=True)
                result["compile"].append(compile_bench.compile_suite(work, total, repeats, python, src))
                save()
        if "micro" in args.only:
            import micro

            print("micro", file=sys.stderr, flush=True)
            result["micro"] = {"yaml": micro.yaml_dump(work, plan["fmt"]),
                               "uncached": micro.uncached(work, plan["fmt"], python, src)}
            save()
        if "dagbag" in args.only:
            print("dagbag", file=sys.stderr, flush=True)
            root, _ = compile_bench.project(work, DAGBAG_TASKS)
            measure.run(measure.pipec(python) + ["compile"], root, measure.child_env(src))
            result["dagbag"] = dagbag_suite(work, root / "build" / "prod", plan["dagbag"], python,
                                            args.dagbag_variants, result.get("dagbag"))
            save()
        if "lsp" in args.only:
            import lsp_bench

            print("lsp", file=sys.stderr, flush=True)
            root, shape = compile_bench.project(work, DAGBAG_TASKS)
            result["lsp"] = lsp_bench.latency(root, shape, plan["lsp"], python, src)
            save()
        if "fmt" in args.only:
            print("fmt", file=sys.stderr, flush=True)
            result["fmt"] = fmt_suite(work, plan["fmt"], python, src)
            save()
        if "help" in args.only:
            print("help", file=sys.stderr, flush=True)
            result["help"] = help_suite(work, plan["help"], python, src)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    save()
    print(f"wrote {target.relative_to(REPO)}", file=sys.stderr)
    if not args.no_report:
        import report

        report.write(result, REPO / "docs")


if __name__ == "__main__":
    main()
