"""Isolated before/after figures of single changes, on the 2,000-task project.

* YAML: every pod manifest of the project dumped by the pure-Python emitter and
  by ``yamlout`` (libyaml where byte-identical), in this process (CPU seconds).
* Compile cache: a no-op compile and a ``--check`` with ``PIPEC_NO_CACHE=1``
  (what they cost without the cache), in child processes.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import compile_bench
import measure


def yaml_dump(work: Path, repeats: int) -> dict:
    from pipec.codegen import yamlout
    from pipec.codegen.k8s import pod
    from pipec.driver import analyze

    root, _ = compile_bench.project(work, compile_bench_tasks())
    project = analyze([root / "main.pipe"], root, "prod").project
    tenants = {t.name: t for t in project.tenants}
    docs = [pod.manifest(pod.plan(project.platform, tenants[d.tenant], d, t)) for d in project.dags for t in d.tasks]
    out = {}
    for name, pure in (("pure", True), ("libyaml", False)):
        samples = []
        for _ in range(repeats):
            start = time.process_time()
            data = [yamlout.dump_all([d], pure=pure) for d in docs]
            samples.append(time.process_time() - start)
        out[name] = statistics.median(samples)
        out[f"{name}_bytes"] = sum(len(d) for d in data)
    out["documents"] = len(docs)
    return out


def compile_bench_tasks() -> int:
    return 2000


def uncached(work: Path, repeats: int, python: str, src: Path | None) -> dict:
    root, _ = compile_bench.project(work, compile_bench_tasks())
    env = measure.child_env(src)
    env["PIPEC_NO_CACHE"] = "1"
    cmd = measure.pipec(python)
    measure.run(cmd + ["compile"], root, env)
    noop = [measure.run(cmd + ["compile"], root, env) for _ in range(repeats)]
    check = [measure.run(cmd + ["compile", "--check"], root, env) for _ in range(repeats)]
    return {"noop": measure.median(noop).as_dict(), "check": measure.median(check).as_dict()}
