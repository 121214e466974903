"""Tenant isolation (issue 7): no tenant reaches a system namespace, Airflow's own
namespace, the shared default pool, or another tenant's name through a trailing newline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hardening_support import BASE, check_json, codes, variant
from pipec.driver import analyze


@pytest.mark.parametrize("namespace", ["kube-system", "default", "kube-public", "kube-node-lease", "kube-anything"])
def test_reserved_namespace_is_rejected(tmp_path: Path, namespace: str) -> None:
    rc, diags = check_json(tmp_path, variant('namespace = "tenant-acme"', f'namespace = "{namespace}"'))
    assert rc == 1 and codes(diags) == ["E405"]
    assert (diags[0]["line"], diags[0]["column"]) == (14, 15)


def test_airflow_namespace_is_rejected(tmp_path: Path) -> None:
    text = variant('registry = "registry.localhost/etl"',
                   'registry = "registry.localhost/etl"\n  airflow_namespace = "orchestration"')
    rc, diags = check_json(tmp_path, variant('namespace = "tenant-acme"', 'namespace = "orchestration"', text))
    assert rc == 1 and codes(diags) == ["E406"]
    assert diags[0]["line"] == 15


def test_default_airflow_namespace_is_rejected(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant('namespace = "tenant-acme"', 'namespace = "airflow"'))
    assert rc == 1 and codes(diags) == ["E406"]


def test_tenant_named_like_the_default_pool_is_rejected(tmp_path: Path) -> None:
    text = variant("tenants  = [acme]", "tenants  = [default_pool]", variant("tenant acme", "tenant default_pool"))
    rc, diags = check_json(tmp_path, text)
    assert rc == 1 and codes(diags) == ["E407"]
    assert (diags[0]["line"], diags[0]["column"]) == (12, 8)


@pytest.mark.parametrize("old,new", [
    ('schema    = "acme"', 'schema    = "globex\\n"'),
    ('namespace = "tenant-acme"', 'namespace = "tenant-acme\\n"'),
    ('k8s_secret("acme-source"', 'k8s_secret("acme-source\\n"'),
    ('key = "dsn")\n  secret warehouse', 'key = "dsn\\n")\n  secret warehouse'),
])
def test_a_trailing_newline_is_not_part_of_a_name(tmp_path: Path, old: str, new: str) -> None:
    rc, diags = check_json(tmp_path, variant(old, new))
    assert rc == 1 and codes(diags) in (["E208"], ["E601"]), diags


def test_a_trailing_newline_does_not_dodge_the_shared_schema_check(tmp_path: Path) -> None:
    globex = BASE[BASE.index("tenant acme"):BASE.index("pipeline")].replace("acme", "globex")
    text = variant("pipeline sales", globex + "pipeline sales")
    text = variant('schema    = "acme"', 'schema    = "globex\\n"', text)
    rc, diags = check_json(tmp_path, text)
    assert rc == 1 and "E208" in codes(diags)


def test_control_characters_in_a_message_are_escaped(tmp_path: Path) -> None:
    rc, diags = check_json(tmp_path, variant('schema    = "acme"', 'schema    = "globex\\n\\r\\u{7}"'))
    assert rc == 1 and diags[0]["message"] == "`globex\\n\\r\\u{7}` is not a valid schema name"


# ---------------------------------------------------------------- every accepted name matches its grammar exactly

GRAMMARS = {  # the grammars of the language reference, anchored at both ends by fullmatch
    "schema": r"[a-z_][a-z0-9_]*",
    "namespace": r"[a-z0-9]([-a-z0-9]*[a-z0-9])?",
    "secret_name": r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*",
    "secret_key": r"[-._a-zA-Z0-9]+",
}
WHERE = {
    "schema": 'schema    = "acme"',
    "namespace": 'namespace = "tenant-acme"',
    "secret_name": 'k8s_secret("acme-source"',
    "secret_key": 'key = "dsn")\n  secret warehouse',
}
NAMEISH = st.text(alphabet=st.sampled_from("az09-_.A \n\r\t\x0b\x0c\x85\u2028é"), min_size=0, max_size=12)


def _pipe_string(text: str) -> str:
    escaped = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
    return "".join(escaped.get(ch) or (ch if ch.isprintable() else f"\\u{{{ord(ch):x}}}") for ch in text)


def _set(field: str, value: str) -> str:
    old = WHERE[field]
    quoted = _pipe_string(value)
    new = {"schema": f'schema    = "{quoted}"', "namespace": f'namespace = "{quoted}"',
           "secret_name": f'k8s_secret("{quoted}"', "secret_key": f'key = "{quoted}")\n  secret warehouse'}[field]
    return variant(old, new)


@pytest.mark.parametrize("field", sorted(GRAMMARS))
@settings(max_examples=150, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(NAMEISH, NAMEISH.map(lambda s: "acme" + s), NAMEISH.map(lambda s: "tenant-acme" + s)))
def test_every_accepted_name_matches_its_grammar(tmp_path: Path, field: str, value: str) -> None:
    path = tmp_path / "main.pipe"
    result = analyze([path], tmp_path, overlays={path: _set(field, value)})
    accepted = not result.errors
    if accepted:
        assert re.fullmatch(GRAMMARS[field], value), (field, value)
        assert "\n" not in value
