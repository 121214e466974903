"""The compile cache: an unchanged project is not compiled again; any changed input is.

A hit is seen from outside as "analysis did not run" (``pipec.driver.analyze``
is wrapped to count calls) while the command prints exactly what a full no-op
compile prints. Every kind of input is changed once and must cause a full run
whose outputs equal a compile without the cache.
"""

from __future__ import annotations

import importlib.machinery
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pipec.driver
from pipec import buildcache, resources
from tests.commands.support import EXAMPLES, invoke

WAREHOUSE = next(p for p in EXAMPLES if p.name == "warehouse")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "warehouse"
    shutil.copytree(WAREHOUSE, root, ignore=shutil.ignore_patterns("build"))
    return root


@pytest.fixture
def analyses(monkeypatch) -> list[int]:
    calls: list[int] = []
    real = pipec.driver.analyze

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipec.driver, "analyze", counting)
    return calls


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _fresh(project: Path, monkeypatch, env: str = "prod") -> dict[str, bytes]:
    """What a compile without the cache writes for the project as it is now."""
    out = project.parent / "reference"
    shutil.rmtree(out, ignore_errors=True)
    monkeypatch.setenv("PIPEC_NO_CACHE", "1")
    assert invoke(["compile", "--env", env, "--out", str(out)], project).exit_code == 0
    monkeypatch.delenv("PIPEC_NO_CACHE")
    return _tree(out / env)


def test_an_unchanged_project_is_not_analysed_again_and_reports_the_same(project, analyses, monkeypatch):
    first = invoke(["compile", "--env", "prod"], project)
    assert first.exit_code == 0 and len(analyses) == 1
    assert (project / "build" / buildcache.CACHE_DIR / "prod.json").is_file()
    hit = invoke(["compile", "--env", "prod"], project)
    assert len(analyses) == 1, "the second compile analysed the project again"
    monkeypatch.setenv("PIPEC_NO_CACHE", "1")
    full = invoke(["compile", "--env", "prod"], project)
    assert len(analyses) == 2
    assert (hit.exit_code, hit.stdout, hit.stderr) == (full.exit_code, full.stdout, full.stderr)
    assert "wrote 0 files, removed 0" in hit.stderr


def test_check_hits_too_and_says_ok(project, analyses):
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    check = invoke(["compile", "--env", "prod", "--check"], project)
    assert check.exit_code == 0 and "compile --check: ok" in check.stderr
    assert len(analyses) == 1


def _edit_entry(project: Path) -> None:
    path = project / "main.pipe"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def _edit_import(project: Path) -> None:
    path = project / "tenants.pipe"
    path.write_text(path.read_text(encoding="utf-8").replace("pool = 16", "pool = 17"), encoding="utf-8")


def _edit_config(project: Path) -> None:
    path = project / "pipec.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


@pytest.mark.parametrize("edit", [_edit_entry, _edit_import, _edit_config], ids=["entry", "import", "pipec.toml"])
def test_a_changed_input_file_compiles_again(project, analyses, monkeypatch, edit):
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    edit(project)
    again = invoke(["compile", "--env", "prod"], project)
    assert again.exit_code == 0 and len(analyses) == 2
    assert _tree(project / "build" / "prod") == _fresh(project, monkeypatch)
    invoke(["compile", "--env", "prod"], project)
    assert len(analyses) == 3  # the reference compile ran; this one hit the new record


def test_a_changed_stdlib_file_compiles_again(project, analyses, monkeypatch, tmp_path):
    std = tmp_path / "data"
    shutil.copytree(resources.data_root() / "stdlib", std / "stdlib")
    shutil.copytree(resources.data_root() / "grammar", std / "grammar")
    monkeypatch.setattr(resources, "data_root", lambda: std)
    buildcache.pipec_fingerprint.cache_clear()
    try:
        assert invoke(["compile", "--env", "prod"], project).exit_code == 0
        runners = std / "stdlib" / "runners.pipe"
        text = runners.read_text(encoding="utf-8")
        assert "postgres-runner:0.1.0" in text
        runners.write_text(text.replace("postgres-runner:0.1.0", "postgres-runner:0.1.1"), encoding="utf-8")
        buildcache.pipec_fingerprint.cache_clear()  # a new process computes it afresh
        assert invoke(["compile", "--env", "prod"], project).exit_code == 0
        assert len(analyses) == 2
        assert b"postgres-runner:0.1.1" in (project / "build/prod/acme/dags/acme__sales.py").read_bytes()
    finally:
        buildcache.pipec_fingerprint.cache_clear()


@pytest.mark.parametrize("args", [["--env", "local"], ["--out", "elsewhere"]], ids=["env", "out"])
def test_other_options_compile_again(project, analyses, args):
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    assert invoke(["compile", "--env", "prod", *args], project).exit_code == 0
    assert len(analyses) == 2


def test_a_changed_or_missing_output_is_written_again(project, analyses, monkeypatch):
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    dag = project / "build/prod/acme/dags/acme__sales.py"
    dag.write_bytes(dag.read_bytes() + b"# tampered\n")
    check = invoke(["compile", "--env", "prod", "--check"], project)
    assert check.exit_code == 1 and "stale:" in check.stdout and len(analyses) == 2
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    (project / "build/prod/acme/pools.json").unlink()
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    assert len(analyses) == 4
    assert _tree(project / "build" / "prod") == _fresh(project, monkeypatch)


def test_pipec_itself_is_part_of_the_key(tmp_path):
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "a.py").write_text("x = 1\n", encoding="utf-8")
    before = buildcache.tree_digest(package)
    (package / "a.py").write_text("x = 2\n", encoding="utf-8")
    assert buildcache.tree_digest(package) != before
    options = {"env": "prod"}
    none = buildcache.Inputs()
    assert buildcache.compute_key(none, options, "a") != buildcache.compute_key(none, options, "b")


def test_output_libraries_are_part_of_the_key_without_being_imported(tmp_path, monkeypatch):
    lib = tmp_path / "outputlib"
    lib.mkdir()
    (lib / "__init__.py").write_text('__version__ = "1.0"\n', encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    before = buildcache.library_digest("outputlib")
    (lib / "__init__.py").write_text('__version__ = "1.1"\n', encoding="utf-8")
    bumped = buildcache.library_digest("outputlib")
    (lib / f"_speedups{importlib.machinery.EXTENSION_SUFFIXES[0]}").write_bytes(b"")
    assert len({before, bumped, buildcache.library_digest("outputlib")}) == 3
    assert "outputlib" not in sys.modules
    code = ("import sys; from pipec import buildcache; buildcache.pipec_fingerprint(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'yaml')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"  # importing them was about half of a no-op compile's import time


def test_a_broken_record_is_a_miss(project, analyses):
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    (project / "build" / buildcache.CACHE_DIR / "prod.json").write_text("{not json", encoding="utf-8")
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    assert len(analyses) == 2


def test_a_symlinked_output_is_never_a_hit(project, analyses):
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    pools = project / "build/prod/acme/pools.json"
    copy = project / "pools-copy.json"
    copy.write_bytes(pools.read_bytes())
    pools.unlink()
    pools.symlink_to(copy)
    again = invoke(["compile", "--env", "prod"], project)
    assert len(analyses) == 2 and again.exit_code != 0 and "E720" in again.stdout + again.stderr


def test_a_symlinked_environment_folder_is_never_a_hit(project, analyses):
    """OUT/ENV itself a link (to a copy of itself): the record still matches every output's hash."""
    assert invoke(["compile", "--env", "prod"], project).exit_code == 0
    env = project / "build/prod"
    real = project / "build/real"
    env.rename(real)
    env.symlink_to(real, target_is_directory=True)
    again = invoke(["compile", "--env", "prod"], project)
    assert len(analyses) == 2 and again.exit_code != 0 and "E720" in again.stdout + again.stderr


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    shop = next((p for p in EXAMPLES if p.name == "shop_dbt"), None)
    assert shop is not None, "the dbt example is gone: point this test at another dbt project"
    assert (shop / "dbt" / "target" / "manifest.json").is_file(), "run `make dbt-manifests`"
    root = tmp_path / "shop"
    shutil.copytree(shop, root, ignore=shutil.ignore_patterns("build", "out"))
    return root


def _compile_shop(root: Path):
    return invoke(["compile", "--env", "prod", "--out", "out"], root)


def test_a_dbt_project_hits_until_its_manifest_changes(shop, analyses, monkeypatch):
    assert _compile_shop(shop).exit_code == 0
    assert (shop / "out" / buildcache.CACHE_DIR / "prod.json").is_file()
    assert _compile_shop(shop).exit_code == 0 and len(analyses) == 1
    assert invoke(["compile", "--env", "prod", "--out", "out", "--check"], shop).exit_code == 0
    assert len(analyses) == 1
    manifest = shop / "dbt" / "target" / "manifest.json"
    manifest.write_bytes(manifest.read_bytes().replace(b'"generated_at": "', b'"generated_at": "1', 1))
    again = _compile_shop(shop)
    assert again.exit_code == 0 and len(analyses) == 2, again.stderr
    assert _tree(shop / "out" / "prod") == _fresh(shop, monkeypatch)


def _change_model(project: Path) -> None:
    model = next(p for p in sorted((project / "models").rglob("*.sql")))
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")


def _add_model(project: Path) -> None:
    (project / "models" / "zz_new_model.sql").write_text("select 1 as id\n", encoding="utf-8")


def _change_project_file(project: Path) -> None:
    path = project / "dbt_project.yml"
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


@pytest.mark.parametrize("edit", [_change_model, _add_model], ids=["model-changed", "model-added"])
def test_a_dbt_project_changed_since_its_manifest_is_reported_stale(shop, analyses, edit):
    assert _compile_shop(shop).exit_code == 0
    edit(shop / "dbt")
    stale = _compile_shop(shop)
    # not a hit (a run with errors is analysed again without the incremental store: two calls)
    assert stale.exit_code == 1 and "E804" in stale.stdout and len(analyses) > 1
    check = invoke(["compile", "--env", "prod", "--out", "out", "--check"], shop)
    assert check.exit_code == 1 and "E804" in check.stdout


def test_a_changed_dbt_project_file_compiles_again(shop, analyses):
    assert _compile_shop(shop).exit_code == 0
    _change_project_file(shop / "dbt")
    _compile_shop(shop)
    assert len(analyses) == 2
