"""A small valid program and a way to check variants of it (issue 7 hardening tests)."""

from __future__ import annotations

import json
from pathlib import Path

from frontend_support import invoke

BASE = """\
import "std/runners"
import "std/profiles"

platform {
  registry = "registry.localhost/etl"
}

environment prod {
  operator = kubernetes
}

tenant acme {
  schema    = "acme"
  namespace = "tenant-acme"
  quota     = { cpu = "4", memory = "16Gi", pods = 10 }
  secret source    = k8s_secret("acme-source", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
}

pipeline sales {
  tenants  = [acme]
  schedule = "@daily"
  silver {
    task stg_orders = dbt_run(select = "stg_orders")
  }
}
"""


def variant(old: str, new: str, base: str = BASE) -> str:
    """BASE with one piece of text replaced (the piece must be there)."""
    assert old in base, old
    return base.replace(old, new, 1)


def check_json(tmp_path: Path, text: str, name: str = "main.pipe", *extra: str) -> tuple[int, list[dict]]:
    """Run ``pipec check`` on one file; the exit code and the JSON diagnostics."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    out = invoke(["check", "--output-format", "json", *extra, name], tmp_path)
    return out.exit_code, json.loads(out.stdout)["diagnostics"] if out.stdout.strip() else []


def codes(diags: list[dict]) -> list[str]:
    return [d["code"] for d in diags]
