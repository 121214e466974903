"""`pipec init DIR`: the new project checks, lints and compiles in every
environment; existing files are never overwritten; bad tenant names are refused.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipec import scaffold

from .support import invoke, pipec

FILES = [".gitignore", "README.md", "main.pipe", "pipec.toml"]


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_init_writes_the_project(tmp_path: Path) -> None:
    out = invoke(["init", "proj"], tmp_path)
    assert out.exit_code == 0, out.stderr
    assert sorted(_tree(tmp_path / "proj")) == FILES
    assert out.stdout.splitlines() == [f"created {Path('proj') / name}" for name in FILES]
    assert (tmp_path / "proj" / ".gitignore").read_text() == "build/\n"
    toml = (tmp_path / "proj" / "pipec.toml").read_text()
    assert 'entry = ["main.pipe"]' in toml and 'env   = "local"' in toml and 'out   = "build"' in toml
    main = (tmp_path / "proj" / "main.pipe").read_text()
    for part in ('import "std/runners"', 'import "std/profiles"', "platform {", "environment local",
                 "operator = docker", "environment prod", "operator = kubernetes", "tenant acme",
                 'namespace = "tenant-acme"', "secret source", "secret warehouse", "bronze {", "silver {", "gold {"):
        assert part in main


def test_new_project_checks_and_lints_clean(tmp_path: Path) -> None:
    assert invoke(["init", "proj"], tmp_path).exit_code == 0
    check = invoke(["check"], tmp_path / "proj")
    assert (check.exit_code, check.stdout) == (0, ""), check.stdout
    lint = invoke(["lint"], tmp_path / "proj")
    assert (lint.exit_code, lint.stdout) == (0, ""), lint.stdout


@pytest.mark.parametrize("tenant", ["acme", "big_co", "t2"])
def test_new_project_compiles_in_every_environment(tmp_path: Path, tenant: str) -> None:
    proj = tmp_path / "proj"
    assert invoke(["init", str(proj), "--tenant", tenant], tmp_path).exit_code == 0
    for env in ("local", "prod"):
        out = invoke(["compile", "--env", env], proj)
        assert out.exit_code == 0, out.stdout + out.stderr
        assert (proj / "build" / env / tenant / "dags" / f"{tenant}__sales.py").is_file()
    tenant_yaml = (proj / "build" / "prod" / tenant / "k8s" / "tenant.yaml").read_text()
    assert f"name: {scaffold.namespace_for(tenant)}" in tenant_yaml


def test_installed_script_creates_a_checking_project(tmp_path: Path) -> None:
    init = subprocess.run([*pipec(), "init", "proj"], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert init.returncode == 0, init.stderr
    check = subprocess.run([*pipec(), "check"], cwd=tmp_path / "proj", capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr


@pytest.mark.parametrize("existing", FILES)
def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / existing).write_text("mine\n")
    out = invoke(["init", "proj"], tmp_path)
    assert out.exit_code == 2 and out.stdout == ""
    assert "already exist" in out.stderr and existing in out.stderr and "never overwrites" in out.stderr
    assert _tree(proj) == {existing: b"mine\n"}


def test_init_into_an_existing_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    assert invoke(["init", "proj"], tmp_path).exit_code == 0
    assert sorted(_tree(tmp_path / "proj")) == FILES


def test_init_onto_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "proj").write_text("x")
    out = invoke(["init", "proj"], tmp_path)
    assert out.exit_code == 2 and "not a folder" in out.stderr
    assert (tmp_path / "proj").read_text() == "x"


@pytest.mark.parametrize(("tenant", "why"), [
    ("Acme", "not a valid tenant name"),
    ("1acme", "not a valid tenant name"),
    ("ac-me", "not a valid tenant name"),
    ("", "not a valid tenant name"),
    ("gold", "not a valid tenant name"),
    ("a__b", "contains `__`"),
    ("acme_", "invalid Kubernetes namespace `tenant-acme-`"),
    ("a" * 57, "invalid Kubernetes namespace"),
])
def test_invalid_tenant_name(tmp_path: Path, tenant: str, why: str) -> None:
    out = invoke(["init", "proj", "--tenant", tenant], tmp_path)
    assert out.exit_code == 2 and out.stdout == ""
    assert why in out.stderr and "= help:" in out.stderr
    assert not (tmp_path / "proj").exists()


def test_longest_tenant_name_is_accepted(tmp_path: Path) -> None:
    tenant = "a" * 56
    assert len(scaffold.namespace_for(tenant)) == 63
    assert invoke(["init", "proj", "--tenant", tenant], tmp_path).exit_code == 0
    assert invoke(["check"], tmp_path / "proj").exit_code == 0


def test_a_name_the_checks_reject_writes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scaffold, "KEYWORDS", frozenset())  # let a keyword past the name rules
    out = invoke(["init", "proj", "--tenant", "gold"], tmp_path)
    assert out.exit_code == 2 and "the new project would not check" in out.stderr
    assert not (tmp_path / "proj").exists()


@pytest.mark.parametrize("tenant", ["acme", "big_co", "a_very_long_tenant_name_for_wide_lines"])
def test_new_project_is_in_fmt_style(tmp_path: Path, tenant: str) -> None:
    """`pipec fmt --check` leaves every file `pipec init` writes unchanged (the formatter itself, too)."""
    from pipec.fmt import format_source

    proj = tmp_path / "proj"
    assert invoke(["init", str(proj), "--tenant", tenant], tmp_path).exit_code == 0
    text = (proj / "main.pipe").read_text(encoding="utf-8")
    assert format_source("main.pipe", text).text == text
    check = invoke(["fmt", "--check"], proj)
    assert check.exit_code == 0, check.stdout + check.stderr
    assert "0 files would be reformatted" in check.stderr
