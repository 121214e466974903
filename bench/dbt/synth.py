"""A synthetic dbt project of N models, as `dbt parse` would describe it.

    python bench/dbt/synth.py OUT [--models 2000] [--mode run_then_test|build]

writes OUT/target/manifest.json (schema v12, with the fields real manifests
carry: raw SQL, columns, configs, checksums), OUT/dbt/dbt_project.yml (the
project folder Cosmos wants; it holds no model files, so pipec, which finds no
dbt_project.yml above target/, uses the manifest alone as when CI ships only
the manifest) and OUT/pipec.toml + OUT/main.pipe, a pipec project with one
`dbt` block over it, in the given `mode` (written out even for `build`, pipec's
default): `run_then_test` (a run task and a test task per model, the bench's
default, like Cosmos' TestBehavior.AFTER_EACH) or `build` (one `dbt build` task
per node, like TestBehavior.BUILD).

Shape, close to a large warehouse project: 10% staging models reading one of
50 sources, the rest marts reading 1-3 earlier models, 20 seeds; two generic
tests (unique, not_null) per model and a relationships test on every tenth
mart. Deterministic: the same N gives the same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

PROJECT = "bench"
SOURCES = 50
SEEDS = 20
MODES = ("run_then_test", "build")  # the `dbt` block's modes (docs/dbt.md, "Modes")


def _node(uid: str, kind: str, name: str, folder: list[str], path: str, parents: list[str], tags: list[str],
          materialized: str = "table") -> dict:
    sql = f"select id, updated_at, amount from {{{{ ref('{name}') }}}} -- " + "x" * 400
    return {
        "unique_id": uid, "resource_type": kind, "name": name, "package_name": PROJECT,
        "fqn": [PROJECT, *folder, name], "original_file_path": path, "path": path.split("/", 1)[1],
        "patch_path": None, "tags": tags, "description": f"The {name} table.",
        "config": {"enabled": True, "materialized": materialized, "tags": tags, "schema": None, "meta": {}},
        "depends_on": {"nodes": parents, "macros": []}, "raw_code": sql, "language": "sql",
        "checksum": {"name": "sha256", "checksum": hashlib.sha256(sql.encode()).hexdigest()},
        "columns": {c: {"name": c, "description": "", "data_type": None} for c in ("id", "updated_at", "amount")},
        "created_at": 1700000000.0, "alias": name, "schema": "analytics", "database": "warehouse",
    }


def _test(kind: str, model: dict, parents: list[str]) -> dict:
    name = f"{kind}_{model['name']}_id"
    uid = f"test.{PROJECT}.{name}.{hashlib.sha1(name.encode()).hexdigest()[:10]}"
    node = _node(uid, "test", name, model["fqn"][1:-1], model["original_file_path"].rsplit("/", 1)[0] + "/schema.yml",
                 parents, [], "test")
    node["checksum"] = {"name": "none", "checksum": ""}
    node["attached_node"] = model["unique_id"]
    node["test_metadata"] = {"name": kind, "kwargs": {"column_name": "id"}, "namespace": None}
    return node


def manifest(models: int) -> dict:
    rng = random.Random(models)
    nodes: dict[str, dict] = {}
    sources = {}
    for i in range(SOURCES):
        uid = f"source.{PROJECT}.raw.table_{i:03d}"
        sources[uid] = {"unique_id": uid, "resource_type": "source", "name": f"table_{i:03d}", "source_name": "raw",
                        "package_name": PROJECT, "fqn": [PROJECT, "staging", "raw", f"table_{i:03d}"],
                        "original_file_path": "models/staging/sources.yml", "path": "models/staging/sources.yml",
                        "tags": [], "config": {"enabled": True}, "freshness": None, "identifier": f"table_{i:03d}"}
    for i in range(SEEDS):
        name = f"ref_{i:02d}"
        nodes[f"seed.{PROJECT}.{name}"] = _node(f"seed.{PROJECT}.{name}", "seed", name, [], f"seeds/{name}.csv", [],
                                                ["reference"], "seed")
    staging = max(1, models // 10)
    made: list[str] = []
    for i in range(models):
        if i < staging:
            name, folder = f"stg_{i:05d}", ["staging"]
            parents = [f"source.{PROJECT}.raw.table_{i % SOURCES:03d}"]
            if i % 7 == 0:
                parents.append(f"seed.{PROJECT}.ref_{i % SEEDS:02d}")
            tags, materialized = ["staging"], "view"
        else:
            domain = f"domain_{i % 8}"
            name, folder = f"fct_{i:05d}", ["marts", domain]
            parents = sorted(set(rng.sample(made, k=min(len(made), rng.randint(1, 3)))))
            tags, materialized = ["marts", domain], "table"
        uid = f"model.{PROJECT}.{name}"
        nodes[uid] = _node(uid, "model", name, folder, f"models/{'/'.join(folder)}/{name}.sql", parents, tags,
                           materialized)
        made.append(uid)
    for uid in made:
        model = nodes[uid]
        for kind in ("unique", "not_null"):
            test = _test(kind, model, [uid])
            nodes[test["unique_id"]] = test
        if model["name"].startswith("fct_") and int(model["name"][4:]) % 10 == 0:
            rel = _test("relationships", model, sorted({uid, model["depends_on"]["nodes"][0]}))
            nodes[rel["unique_id"]] = rel
    return {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/manifest/v12.json",
                     "dbt_version": "1.11.16", "project_name": PROJECT, "generated_at": "2026-01-01T00:00:00Z"},
        "nodes": nodes, "sources": sources, "macros": {}, "docs": {}, "exposures": {}, "metrics": {},
        "groups": {}, "selectors": {}, "disabled": {}, "parent_map": {}, "child_map": {}, "group_map": {},
        "saved_queries": {}, "semantic_models": {}, "unit_tests": {},
    }


PIPE = """import "std/runners"

platform { registry = "registry.localhost/etl" }
environment prod { operator = kubernetes }

tenant acme {
  schema = "acme"
  namespace = "tenant-acme"
  quota = { cpu = "64", memory = "256Gi", pods = 500 }
  secret source = k8s_secret("acme-source", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
}

dbt warehouse {
  manifest = "target/manifest.json"
  runner = dbt_node
  mode = __MODE__
  layers = { silver = "staging resource_type:seed", gold = "marts" }
}

pipeline nightly {
  tenants = [acme]
  schedule = "0 2 * * *"
  dbt = warehouse
}
"""


def pipe(mode: str = "run_then_test") -> str:
    """The text of main.pipe, its `dbt` block in ``mode``."""
    if mode not in MODES:
        raise ValueError(f"mode {mode!r}: not one of {', '.join(MODES)}")
    return PIPE.replace("__MODE__", mode)


def write(out: Path, models: int, mode: str = "run_then_test") -> Path:
    text = pipe(mode)
    target = out / "target"
    target.mkdir(parents=True, exist_ok=True)
    (out / "dbt").mkdir(exist_ok=True)
    (target / "manifest.json").write_text(json.dumps(manifest(models), sort_keys=True), encoding="utf-8")
    (out / "dbt" / "dbt_project.yml").write_text(f"name: {PROJECT}\nprofile: {PROJECT}\nconfig-version: 2\n",
                                                 encoding="utf-8")
    (out / "pipec.toml").write_text('entry = ["main.pipe"]\n', encoding="utf-8")
    (out / "main.pipe").write_text(text, encoding="utf-8")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--models", type=int, default=2000)
    parser.add_argument("--mode", choices=MODES, default="run_then_test", help="the dbt block's mode")
    args = parser.parse_args()
    write(args.out, args.models, args.mode)


if __name__ == "__main__":
    main()
