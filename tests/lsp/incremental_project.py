"""A multi-file project for the incremental-analysis tests, and edits to make to it.

Shared files (platform and environments, runners, tenants) are imported by the
pipeline files; `report` runs `after(sales)`; one tenant is listed by a pipeline
of another file. Each edit is a text replacement in one file that changes what
some rule or check sees: a quota, a pool, a secret slot, an import, an `after`
edge, a suppression comment, a syntax error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

FILES = {
    "pipec.toml": 'entry = ["main.pipe"]\n',
    "main.pipe": """\
import "./platform.pipe"
import "./pipelines/sales.pipe"
import "./pipelines/report.pipe"
""",
    "platform.pipe": """\
platform { registry = "registry.example.com/etl" }
environment local { operator = docker }
environment prod { operator = kubernetes }

profile heavy { cpu = "2", memory = "8Gi" }
profile spare { cpu = "1", memory = "1Gi" }
""",
    "runners.pipe": """\
import "std/profiles"

/// Loads one table.
runner loader(table: string, since: string = "") {
  image = "${platform.registry}/loader:1.0"
  args = ["--table", table, "--since", since, "--schema", tenant.schema]
  secrets = [source, warehouse]
  profile = small
}

runner idle(note: string) {
  image = "${platform.registry}/idle:1.0"
  args = [note]
}
""",
    "tenants/acme.pipe": """\
/// Acme.
tenant acme {
  schema = "acme", namespace = "tenant-acme", pool = 4
  quota = { cpu = "4", memory = "16Gi", pods = 10 }
  secret source = k8s_secret("acme-source", key = "dsn")
  secret warehouse = k8s_secret("acme-warehouse", key = "dsn")
  secret spare = k8s_secret("acme-spare", key = "dsn")
}
""",
    "tenants/globex.pipe": """\
tenant globex {
  schema = "globex", namespace = "tenant-globex"
  quota = { cpu = "8", memory = "32Gi", pods = 20 }
  secret source = k8s_secret("globex-source", key = "dsn")
  secret warehouse = k8s_secret("globex-warehouse", key = "dsn")
}
""",
    "pipelines/sales.pipe": """\
import "std/runners"
import "../runners.pipe"
import "../platform.pipe"
import "../tenants/acme.pipe"
import "../tenants/globex.pipe"

pipeline sales {
  tenants = [acme, globex]
  schedule = "0 6 * * *"
  owner = "data", timeout = 1h, retries = 2, on_failure = email("oncall@example.com")
  bronze {
    for t in ["orders", "customers"] {
      task load_${t} = loader(table = t, since = "${run.window_start}")
    }
  }
  silver {
    task stg = dbt_run(select = "stg") after load_orders, load_customers {
      when prod { profile = heavy }
    }
  }
}
""",
    "pipelines/report.pipe": """\
import "std/runners"
import "../tenants/acme.pipe"

pipeline report {
  tenants = [acme]
  schedule = after(sales)
  owner = "data", timeout = 30m, on_failure = email("oncall@example.com")
  gold {
    task rep = dbt_run(select = "rep")
  }
}
""",
}

# (file, old text, new text): each applies where `old` is still found
EDITS = [
    ("platform.pipe", '"registry.example.com/etl"', '"registry.example.com/other"'),
    ("platform.pipe", 'profile heavy { cpu = "2"', 'profile heavy { cpu = "64"'),
    ("platform.pipe", "operator = kubernetes }", 'operator = kubernetes, queues = ["fast"] }'),
    ("platform.pipe", "environment local { operator = docker }\n", ""),
    ("platform.pipe", "platform {", "platform {{"),
    ("runners.pipe", '/loader:1.0"', '/loader:latest"'),
    ("runners.pipe", "secrets = [source, warehouse]", "secrets = [source, warehouse, spare]"),
    ("runners.pipe", "note: string", "note: strin"),
    ("runners.pipe", "  profile = small\n", ""),
    ("runners.pipe", "runner loader(", "runner loadr("),
    ("tenants/acme.pipe", "pool = 4", "pool = 1"),
    ("tenants/acme.pipe", 'cpu = "4"', 'cpu = "1"'),
    ("tenants/acme.pipe", '  secret spare = k8s_secret("acme-spare", key = "dsn")\n', ""),
    ("tenants/acme.pipe", 'namespace = "tenant-acme"', 'namespace = "tenant-globex"'),
    ("tenants/acme.pipe", 'key = "dsn")\n}', 'key = "dsn")  # pipec: ignore[W118]\n}'),
    ("tenants/acme.pipe", "tenant acme {", "tenant acme_x {"),
    ("tenants/globex.pipe", 'memory = "32Gi"', 'memory = "1Gi"'),
    ("tenants/globex.pipe", '  secret source = k8s_secret("globex-source", key = "dsn")\n', ""),
    ("tenants/globex.pipe", 'schema = "globex"', 'schema = "acme"'),
    ("pipelines/sales.pipe", "${run.window_start}", "${run.ds}"),
    ("pipelines/sales.pipe", "tenants = [acme, globex]", "tenants = [globex]"),
    ("pipelines/sales.pipe", "  silver {\n", '  silver {\n    task stg_copy = dbt_run(select = "stg") after load_orders\n'),
    ("pipelines/sales.pipe", "timeout = 1h, ", ""),
    ("pipelines/sales.pipe", "profile = heavy", "profile = spare"),
    ("pipelines/sales.pipe", "bronze {", "bronze {("),
    ("pipelines/sales.pipe", "task load_${t}", "task load__${t}"),
    ("pipelines/sales.pipe", 'import "../runners.pipe"\n', ""),
    ("pipelines/report.pipe", "after(sales)", "after(salez)"),
    ("pipelines/report.pipe", "schedule = after(sales)", 'schedule = "@daily"'),
    ("pipelines/report.pipe", "tenants = [acme]", "tenants = [acme, globex]"),
    ("pipelines/report.pipe", 'select = "rep"', 'select = "rep_{{ ds }}"'),
    ("main.pipe", 'import "./pipelines/report.pipe"\n', ""),
    ("main.pipe", 'import "./platform.pipe"\n', 'import "./platform.pipe"\nimport "std/profiles"\n'),
    ("tenants/acme.pipe", "pods = 10", "pods = 1"),
    ("pipelines/sales.pipe", "after load_orders, load_customers", "after load_orders, stg"),
]
PIPE_FILES = sorted(name for name in FILES if name.endswith(".pipe"))

WAREHOUSE = Path(__file__).resolve().parents[2] / "examples" / "warehouse"
# the warehouse example: runners imported `as std`, a runner of its own, after(sales), queues
WAREHOUSE_EDITS = [
    ("tenants.pipe", "pool = 16", "pool = 1"),
    ("tenants.pipe", 'quota = { cpu = "8"', 'quota = { cpu = "1"'),
    ("tenants.pipe", '  secret erp = k8s_secret("acme-erp-db", key = "dsn")\n', ""),
    ("tenants.pipe", "pods = 16", "pods = 2"),
    ("platform.pipe", 'queues = ["bronze"]', "queues = []"),
    ("platform.pipe", 'registry = "registry.example.com/etl"', 'registry = "registry.example.com/etl2"'),
    ("platform.pipe", 'profile etl_heavy { cpu = "3"', 'profile etl_heavy { cpu = "30"'),
    ("pipelines/sales.pipe", 'since = "${run.window_start}"', 'since = "${run.ds}"'),
    ("pipelines/sales.pipe", "retries = 2", "retries = 0"),
    ("pipelines/sales.pipe", 'import "std/runners" as std', 'import "std/runners" as sd'),
    ("pipelines/finance.pipe", "schedule = after(sales)", 'schedule = "@daily"'),
    ("pipelines/finance.pipe", "tenants = [acme, initech]", "tenants = [acme, globex]"),
    ("pipelines/finance.pipe", "timeout = 40m", "timeout = 40m, image = \"x\""),
    ("main.pipe", 'import "./pipelines/finance.pipe"\n', ""),
]


@dataclass(frozen=True)
class Project:
    """A project's files (name -> text) and the edits the tests make to them."""

    files: dict[str, str]
    edits: list[tuple[str, str, str]]

    @property
    def pipe_files(self) -> list[str]:
        return sorted(name for name in self.files if name.endswith(".pipe"))

    def write(self, root: Path) -> Path:
        for name, text in self.files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_text(text, encoding="utf-8")
        return root

    def text_of(self, name: str, active: frozenset[int] | set[int]) -> str:
        """The file ``name`` with the edits numbered ``active`` made, in order."""
        text = self.files[name]
        for i in sorted(active):
            file, old, new = self.edits[i]
            if file == name:
                assert old in self.files[file], (file, old)  # the edit is one the file can take
                text = text.replace(old, new, 1)
        return text


SYNTHETIC = Project(FILES, EDITS)
EXAMPLE = Project({p.relative_to(WAREHOUSE).as_posix(): p.read_text(encoding="utf-8")
                   for p in sorted(WAREHOUSE.rglob("*")) if p.suffix in (".pipe", ".toml")
                   and "build" not in p.relative_to(WAREHOUSE).parts}, WAREHOUSE_EDITS)
write = SYNTHETIC.write
text_of = SYNTHETIC.text_of
