"""Synthetic pipec projects for the benchmark: tenants x pipelines x tasks, every layer.

A project of ``tenants`` tenants, each with ``pipelines`` pipelines of ``tasks``
tasks (bronze extracts, silver dbt models after them, gold facts and a test):
``tenants * pipelines * tasks`` operators in all. Each tenant lives in its own
file (``tenants/tNNN.pipe``) with its pipelines, so a one-tenant edit touches one
file. Everything is deterministic: the same shape gives the same bytes.

    python bench/generate.py --tasks 2000 OUT_DIR
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

PLATFORM = """\
# Platform and environments of a synthetic benchmark project.

platform {
  registry = "registry.example.com/etl"
  timezone = "UTC"
  start = "2024-01-01"
  pull_secret = "etl-registry"
}

environment local {
  operator = docker
  network = "edge"
}

environment prod {
  operator = kubernetes
}

profile etl_heavy { cpu = "2", memory = "8Gi" }
"""


@dataclass(frozen=True)
class Shape:
    """How many tenants, pipelines per tenant and tasks per pipeline."""

    tenants: int
    pipelines: int
    tasks: int

    @property
    def total(self) -> int:
        return self.tenants * self.pipelines * self.tasks

    def __str__(self) -> str:
        return f"{self.tenants} tenants x {self.pipelines} pipelines x {self.tasks} tasks"


def shape_for(total: int) -> Shape:
    """The benchmark's shape for about ``total`` tasks: 40 tasks per tenant, 2 pipelines of 20."""
    if total <= 40:
        return Shape(1, 1, max(total, 4))
    return Shape(max(1, total // 40), 2, 20)


def tenant_name(i: int) -> str:
    return f"t{i:04d}"


def tenant_file(i: int, shape: Shape, edit: int = 0) -> str:
    """One tenant and its pipelines. ``edit`` changes the pool (a one-tenant edit)."""
    name = tenant_name(i)
    lines = [
        f"# Tenant {name} and its pipelines.",
        "",
        'import "std/runners"',
        'import "std/profiles"',
        'import "../platform.pipe"',
        "",
        f"/// Synthetic tenant number {i}.",
        f"tenant {name} {{",
        f'  schema = "{name}"',
        f'  namespace = "tenant-{name.replace("_", "-")}"',
        "  enclave = high_security" if i % 5 == 4 else "  enclave = standard",
        '  quota = { cpu = "8", memory = "32Gi", pods = 40 }',
        f"  pool = {8 + edit}",
        '  egress = ["10.20.0.0/16:5432"]',
        "",
        f'  secret source = k8s_secret("{name}-source", key = "dsn")',
        f'  secret warehouse = k8s_secret("{name}-warehouse", key = "dsn")',
        "}",
    ]
    for p in range(shape.pipelines):
        lines += [""] + pipeline(name, p, shape.tasks)
    return "\n".join(lines) + "\n"


def split(tasks: int) -> tuple[int, int, int]:
    """Bronze, silver and gold task counts (gold is at least one fact and one test)."""
    gold = max(2, tasks // 5)
    bronze = max(1, (tasks - gold + 1) // 2)
    return bronze, tasks - gold - bronze, gold


def pipeline(tenant: str, p: int, tasks: int) -> list[str]:
    """A pipeline of ``tasks`` tasks over three layers, with fan-in edges."""
    bronze, silver, gold = split(tasks)
    lines = [
        f"/// Pipeline {p} of tenant {tenant}.",
        f"pipeline {tenant}_p{p} {{",
        f"  tenants = [{tenant}]",
        f'  schedule = "{p % 60} {p % 24} * * *"',
        "  retries = 2",
        "  retry_delay = 5m",
        "  timeout = 2h",
        '  owner = "bench"',
        '  tags = ["bench"]',
        "",
        "  bronze {",
    ]
    for b in range(bronze):
        if b % 2:
            lines.append(f'    task extract_tab{b} = postgres_extract(table = "tab{b}", mode = incremental, '
                         f'cursor = "updated_at", since = "${{run.ds}}")')
        else:
            lines.append(f'    task extract_tab{b} = postgres_extract(table = "tab{b}")')
    lines += ["  }", "", "  silver {"]
    for s in range(silver):
        lines.append(f'    task stg_tab{s} = dbt_run(select = "stg_tab{s}") after extract_tab{s % bronze}')
    lines += ["  }", "", "  gold {"]
    upstream = [f"stg_tab{s}" for s in range(silver)] or [f"extract_tab{b}" for b in range(bronze)]
    facts = gold - 1
    for g in range(facts):
        after = ", ".join(upstream[g::facts][:4])
        lines.append(f'    task fct_{g} = dbt_run(select = "fct_{g}") after {after} {{')
        lines += ["      retries = 3", "      when prod { profile = etl_heavy }", "    }"]
    facts_after = ", ".join(f"fct_{g}" for g in range(facts))
    lines += [f'    task test_all = dbt_test(select = "tag:{tenant}") after {facts_after}', "  }", "}"]
    return lines


def main_file(shape: Shape) -> str:
    imports = [f'import "./tenants/{tenant_name(i)}.pipe"' for i in range(shape.tenants)]
    return f"# Synthetic project: {shape}.\n\nimport \"./platform.pipe\"\n" + "\n".join(imports) + "\n"


def write_project(root: Path, shape: Shape) -> Path:
    """Write the project of ``shape`` into ``root`` (created); returns ``root``."""
    (root / "tenants").mkdir(parents=True, exist_ok=True)
    (root / "pipec.toml").write_text('entry = ["main.pipe"]\nenv = "prod"\nout = "build"\n', encoding="utf-8")
    (root / "platform.pipe").write_text(PLATFORM, encoding="utf-8")
    (root / "main.pipe").write_text(main_file(shape), encoding="utf-8")
    for i in range(shape.tenants):
        (root / "tenants" / f"{tenant_name(i)}.pipe").write_text(tenant_file(i, shape), encoding="utf-8")
    return root


def edit_tenant(root: Path, shape: Shape, i: int, edit: int) -> Path:
    """Rewrite tenant ``i``'s file with a different pool size; returns the file."""
    path = root / "tenants" / f"{tenant_name(i)}.pipe"
    path.write_text(tenant_file(i, shape, edit), encoding="utf-8")
    return path


def fmt_file(lines: int) -> str:
    """One file of about ``lines`` lines (a tenant with many pipelines), laid out off-canonically."""
    pipelines = max(1, lines // 50)
    text = tenant_file(0, Shape(1, pipelines, 20))
    # Extra spaces and a missing blank line give fmt something to do.
    return text.replace(" = dbt_run(", " =  dbt_run(").replace("}\n\n/// Pipeline", "}\n/// Pipeline")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--tasks", type=int, default=2000, help="about this many tasks (default 2000)")
    parser.add_argument("--tenants", type=int)
    parser.add_argument("--pipelines", type=int, default=2)
    parser.add_argument("--per-pipeline", type=int, default=20)
    args = parser.parse_args()
    shape = Shape(args.tenants, args.pipelines, args.per_pipeline) if args.tenants else shape_for(args.tasks)
    write_project(args.out, shape)
    print(f"{args.out}: {shape} = {shape.total} tasks")


if __name__ == "__main__":
    main()
