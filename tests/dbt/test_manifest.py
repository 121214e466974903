"""Reading manifests: staleness against the project files, and a hash that follows
the project's content, not the moment `dbt parse` ran."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from pipec.dbt import manifest as mf

from .support import PROJECT, dbt_parse


@pytest.fixture
def project(tmp_path: Path) -> Path:
    copy = tmp_path / "dbt"
    shutil.copytree(PROJECT, copy, ignore=shutil.ignore_patterns("logs", "*.duckdb"))
    return copy


def test_fresh_manifest_is_not_stale(project: Path) -> None:
    manifest = mf.load(project / "target" / "manifest.json")
    assert mf.stale_files(manifest, project) == []
    assert {n.resource_type for n in manifest.nodes.values()} == {"model", "seed", "snapshot", "test", "source"}


def test_changed_new_and_removed_files_are_stale(project: Path) -> None:
    manifest = mf.load(project / "target" / "manifest.json")
    orders = project / "models" / "marts" / "orders.sql"
    orders.write_text(orders.read_text(encoding="utf-8") + "where 1 = 1\n", encoding="utf-8")
    (project / "models" / "marts" / "new_model.sql").write_text("select 1\n", encoding="utf-8")
    (project / "seeds" / "country_codes.csv").unlink()
    (project / "snapshots" / "customers_snapshot.sql").write_text("\n" + (
        PROJECT / "snapshots" / "customers_snapshot.sql").read_text(encoding="utf-8") + "\n\n", encoding="utf-8")
    assert mf.stale_files(manifest, project) == [
        "models/marts/new_model.sql", "models/marts/orders.sql", "seeds/country_codes.csv"]


@pytest.mark.parametrize(("mutate", "kind"), [
    (lambda p: p.unlink(), "missing"),
    (lambda p: p.write_text("{}", encoding="utf-8"), "unreadable"),
    (lambda p: p.write_bytes(b"\xff\xfe not json"), "unreadable"),
    (lambda p: p.write_text(p.read_text(encoding="utf-8").replace("/manifest/v12.json", "/manifest/v9.json"),
                            encoding="utf-8"), "old"),
])
def test_unusable_manifests(project: Path, mutate, kind: str) -> None:
    path = project / "target" / "manifest.json"
    mutate(path)
    with pytest.raises(mf.ManifestError) as err:
        mf.load(path)
    assert err.value.kind == kind


def test_hash_ignores_parse_time_fields(project: Path) -> None:
    path = project / "target" / "manifest.json"
    before = mf.load(path).sha256
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["metadata"]["generated_at"] = "2030-01-01T00:00:00Z"
    doc["metadata"]["invocation_id"] = "another"
    for node in doc["nodes"].values():
        node["created_at"] = 1.5
    path.write_text(json.dumps(doc), encoding="utf-8")
    assert mf.load(path).sha256 == before


@pytest.mark.slow
def test_hash_follows_real_dbt_parse(project: Path) -> None:
    """Parsing an unchanged copy gives the example's hash; changing a model changes it."""
    example = mf.load(PROJECT / "target" / "manifest.json").sha256
    dbt_parse(project)
    assert mf.load(project / "target" / "manifest.json").sha256 == example
    orders = project / "models" / "marts" / "orders.sql"
    orders.write_text(orders.read_text(encoding="utf-8") + "-- changed\n", encoding="utf-8")
    dbt_parse(project)
    assert mf.load(project / "target" / "manifest.json").sha256 != example


@pytest.mark.parametrize(("name", "version", "task"), [
    ("stg_orders", None, "stg_orders"),
    ("dim_customers", "2", "dim_customers_v2"),
    ("dim_customers", "1.5", "dim_customers_v1_5"),  # a dotted version cannot name a Python variable
    ("Orders-Daily", None, "orders_daily"),
    ("2024_orders", None, "model_2024_orders"),
])
def test_task_names_are_identifiers(name: str, version: str | None, task: str) -> None:
    from pipec.dbt.reader import _task_name

    node = mf.Node(unique_id=f"model.p.{name}", resource_type="model", name=name, package="p", fqn=("p", name),
                   path=f"models/{name}.sql", patch_path="", tags=(), config={}, parents=(), version=version)
    assert _task_name(node) == task
    assert f"t_{task}".isidentifier()
