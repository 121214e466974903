"""Values Airflow or Kubernetes would refuse later are refused at check time (issue 7)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hardening_support import check_json, codes, variant

PLATFORM = 'registry = "registry.localhost/etl"'
SCHEDULE = 'schedule = "@daily"'


def _platform(extra: str) -> str:
    return variant(PLATFORM, f"{PLATFORM}\n  {extra}")


def test_a_tag_over_100_characters_is_E216(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant(SCHEDULE, f'{SCHEDULE}\n  tags = ["ok", "{"t" * 101}"]'))
    assert rc == 1 and codes(diags) == ["E216"] and diags[0]["column"] == 17


def test_a_tag_of_100_characters_is_fine(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant(SCHEDULE, f'{SCHEDULE}\n  tags = ["{"t" * 100}"]'))
    assert rc == 0, diags


@pytest.mark.parametrize("address", ["oncall@example.com\\r\\nBcc: all@example.com", "on\\ncall@example.com",
                                     "oncall@exa\\tmple.com", "a@b@example.com"])
def test_an_email_with_control_characters_is_E208(tmp_path: Path, address: str) -> None:
    rc, diags = check_json(tmp_path, variant(SCHEDULE, f'{SCHEDULE}\n  on_failure = email("{address}")'))
    assert rc == 1 and codes(diags) == ["E208"]


@pytest.mark.parametrize("user", ["2147483648", "99999999999"])
def test_run_as_user_beyond_what_kubernetes_allows_is_E217(tmp_path: Path, user: str) -> None:
    rc, diags = check_json(tmp_path, _platform(f"run_as_user = {user}"))
    assert rc == 1 and codes(diags) == ["E217"]


def test_the_largest_user_id_is_fine(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, _platform("run_as_user = 2147483647"))
    assert rc == 0, diags


@pytest.mark.parametrize("version", ["latest", "1.31; rm -rf /", "v1.31", "1.31\\n", "1", ""])
def test_free_text_kubernetes_version_is_E218(tmp_path: Path, version: str) -> None:
    rc, diags = check_json(tmp_path, variant("operator = kubernetes", f'operator = kubernetes\n  kubernetes_version = "{version}"'))
    assert rc == 1 and codes(diags) == ["E218"]


@pytest.mark.parametrize("registry", ["registry with spaces", "registry.localhost/etl\\n", "Registry/ETL",
                                      "registry.localhost/etl/", "https://registry.localhost/etl", ""])
def test_free_text_registry_is_E219(tmp_path: Path, registry: str) -> None:
    rc, diags = check_json(tmp_path, variant(PLATFORM, f'registry = "{registry}"'))
    assert rc == 1 and codes(diags) == ["E219"]


@pytest.mark.parametrize("registry", ["registry.localhost/etl", "localhost:5000/team/etl", "ghcr.io/acme-corp/etl",
                                      "123456789012.dkr.ecr.eu-west-1.amazonaws.com/etl", "docker.io/library"])
def test_real_registries_are_fine(tmp_path: Path, registry: str) -> None:
    rc, diags = check_json(tmp_path, variant(PLATFORM, f'registry = "{registry}"'))
    assert rc == 0, diags


@pytest.mark.parametrize("start,timezone", [("0001-01-01", "Asia/Tokyo"), ("0001-01-01", "Europe/Berlin")])
def test_a_start_date_that_overflows_in_the_timezone_is_E220(tmp_path: Path, start: str, timezone: str) -> None:
    rc, diags = check_json(tmp_path, _platform(f'start = "{start}"\n  timezone = "{timezone}"'))
    assert rc == 1 and codes(diags) == ["E220"]


@pytest.mark.parametrize("port", ["٥٤٣٢", "5432\\n", "0005432", "99999999999999999999"])
def test_an_egress_port_is_ascii_digits_in_range(tmp_path: Path, port: str) -> None:
    rc, diags = check_json(tmp_path, variant('pods = 10 }', f'pods = 10 }}\n  egress    = ["10.0.0.0/8:{port}"]'))
    assert rc == 1 and codes(diags) == ["E208"]


def test_free_text_registry_of_an_environment_is_E219(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant("operator = kubernetes", 'operator = kubernetes\n  registry = "a b"'))
    assert rc == 1 and codes(diags) == ["E219"]


@pytest.mark.parametrize(("ref", "help_starts"), [
    ("t.acme.warehouse", "`warehouse` is a secret slot, not a value"),
    ("t.acme.schema", "write `tenant.schema`"),
])
def test_a_tenant_reached_through_an_import_alias_gets_the_same_help(tmp_path: Path, ref: str,
                                                                      help_starts: str) -> None:
    """`t.acme.FIELD`: the field is the part after the alias and the tenant, not the second part."""
    (tmp_path / "tenants.pipe").write_text(
        'tenant acme {\n  schema = "acme", namespace = "tenant-acme", quota = { cpu = "4", memory = "16Gi", '
        'pods = 10 }\n  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")\n}\n', encoding="utf-8")
    main = ('import "std/profiles"\nimport "./tenants.pipe" as t\nplatform { registry = "r.example/etl" }\n'
            'environment local { operator = docker }\n'
            f'runner load() {{\n  image = "${{platform.registry}}/load:1.0"\n  env = {{ DSN = {ref} }}\n}}\n'
            'pipeline sales {\n  tenants = [t.acme], schedule = "@daily"\n  bronze { task a = load() }\n}\n')
    _, diags = check_json(tmp_path, main)
    (e401,) = [d for d in diags if d["code"] == "E401"]
    assert e401["help"].startswith(help_starts), e401["help"]
