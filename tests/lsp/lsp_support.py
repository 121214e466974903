"""The project the language server tests work on, and finding positions in its text."""

from __future__ import annotations

from pathlib import Path

from pipec.lsp.session import Session

ROOT = Path(__file__).resolve().parents[2]
# every example and golden case: the real files the in-process robustness tests go through
REAL_FILES = sorted((ROOT / "tests" / "frontend" / "golden").rglob("*.pipe")) + sorted((ROOT / "examples").rglob("*.pipe"))

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
  owner = "data-eng", timeout = 1h, on_failure = email("oncall@example.com")
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


def typed_states(path: Path, log):
    """The file whole, then cut off half-way (as while typing), each analysed by a fresh
    session: yields (session, resolved path, text shown, cut, result, module)."""
    text = path.read_text(encoding="utf-8", errors="replace")
    for cut in (len(text), len(text) // 2):
        session = Session(log)
        real = path.resolve()
        session.buffers[real] = text[:cut]
        session.refresh(real)
        result, mod = session.locate(real)
        yield session, real, text[:cut], cut, result, mod
