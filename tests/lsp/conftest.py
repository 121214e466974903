"""Fixtures for the language server tests: one `pipec lsp` process shared by the
module's tests (each test works on its own project folder) and a small project."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from lsp_client import LspClient

MAIN = """\
import "std/runners"
import "std/profiles"
import "./tenants.pipe"

platform { registry = "registry.localhost/etl" }
environment local { operator = docker }

/// Nightly sales numbers.
pipeline sales {
  tenants  = [acme]
  schedule = "0 6 * * *"
  bronze {
    for t in ["customers", "orders"] {
      task extract_${t} = postgres_extract(table = t, mode = incremental)
    }
  }
  silver {
    task stg_orders = dbt_run(select = "stg_orders") after extract_customers, extract_orders {
      profile = large
    }
  }
}
"""

TENANTS = """\
/// Acme Corp, our first customer.
tenant acme {
  schema    = "acme"
  namespace = "tenant-acme"
  quota     = { cpu = "4", memory = "16Gi", pods = 10 }
  secret source    = k8s_secret("acme-source", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
}
"""


@pytest.fixture(scope="module")
def server():
    with tempfile.TemporaryDirectory(prefix="pipec-lsp-") as cwd:
        client = LspClient(Path(cwd))
        try:
            client.initialize(Path(cwd))
            yield client
        finally:
            client.kill()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A clean two-file project with a pipec.toml."""
    (tmp_path / "pipec.toml").write_text('entry = ["main.pipe"]\n', encoding="utf-8")
    (tmp_path / "main.pipe").write_text(MAIN, encoding="utf-8")
    (tmp_path / "tenants.pipe").write_text(TENANTS, encoding="utf-8")
    return tmp_path


def find(text: str, needle: str, nth: int = 0, within: int = 0) -> tuple[int, int]:
    """0-based (line, character) of the ``nth`` occurrence of ``needle``, plus ``within``.

    For ASCII text the character is also the UTF-16 column.
    """
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    at += within
    line = text.count("\n", 0, at)
    return line, at - (text.rfind("\n", 0, at) + 1)
