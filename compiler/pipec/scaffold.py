"""`pipec init DIR`: a new project that checks and compiles as it is.

The files follow examples/quickstart, in `pipec fmt` style and lint clean: pipec.toml, main.pipe (stdlib imports, a
platform, a local docker and a prod kubernetes environment, one tenant, one
pipeline with a task in each layer), .gitignore and README.md. Existing files
are never overwritten: if any target exists, nothing is written.
"""

from __future__ import annotations

import re
from pathlib import Path

DEFAULT_TENANT = "acme"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
# Words that cannot name a tenant: the keywords of grammar/pipe.lark, and `run` (the runtime values).
KEYWORDS = frozenset({"import", "as", "platform", "environment", "profile", "enum", "runner", "tenant",
                      "pipeline", "dbt", "secret", "bronze", "silver", "gold", "task", "after", "when", "for", "in",
                      "true", "false", "none", "run"})


class ScaffoldError(Exception):
    """Why the project cannot be created (exit code 2); nothing was written."""

    def __init__(self, message: str, help: str) -> None:
        super().__init__(message)
        self.message, self.help = message, help


def namespace_for(tenant: str) -> str:
    return "tenant-" + tenant.replace("_", "-")


def check_tenant(name: str) -> None:
    """Raise ScaffoldError unless ``name`` makes a valid tenant name, namespace and Secret names."""
    help = "a tenant name is lowercase letters, digits and single `_`, starting with a letter, e.g. `acme`"
    if not _NAME.fullmatch(name) or name in KEYWORDS:
        raise ScaffoldError(f"`{name}` is not a valid tenant name", help)
    if "__" in name:
        raise ScaffoldError(f"tenant name `{name}` contains `__`",
                            "`__` separates tenant and pipeline in DAG ids; use a single `_`")
    namespace = namespace_for(name)
    if len(namespace) > 63 or not _LABEL.fullmatch(namespace):
        raise ScaffoldError(f"tenant name `{name}` gives the invalid Kubernetes namespace `{namespace}`",
                            "namespaces are at most 63 characters and end with a letter or digit: "
                            "shorten the name or drop a trailing `_`")


def files(tenant: str = DEFAULT_TENANT) -> dict[str, str]:
    """The new project's files: relative path -> text."""
    check_tenant(tenant)
    secret = tenant.replace("_", "-")
    return {
        "pipec.toml": PIPEC_TOML,
        "main.pipe": MAIN_PIPE.format(tenant=tenant, namespace=namespace_for(tenant), secret=secret),
        ".gitignore": "build/\n",
        "README.md": README.format(tenant=tenant),
    }


def scaffold(folder: Path, tenant: str = DEFAULT_TENANT) -> list[Path]:
    """Write a new project into ``folder`` (created if missing); the paths written, sorted."""
    wanted = {folder / rel: text for rel, text in files(tenant).items()}
    _self_check(folder, wanted)
    existing = sorted(str(p) for p in wanted if p.exists() or p.is_symlink())
    if existing:
        raise ScaffoldError(f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}",
                            "pipec init never overwrites files: pick a new folder, or move the files away")
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} is not a folder", "pass the folder to create the project in")
    folder.mkdir(parents=True, exist_ok=True)
    for path, text in sorted(wanted.items()):
        with open(path, "x", encoding="utf-8", newline="\n") as fh:  # "x": never overwrite, even in a race
            fh.write(text)
    return sorted(wanted)


def _self_check(folder: Path, wanted: dict[Path, str]) -> None:
    """Analyse the new project in memory: a name that slips past check_tenant must not write a broken project."""
    from pipec.driver import analyze

    main = folder.resolve() / "main.pipe"
    result = analyze([main], folder.resolve(), overlays={main: wanted[folder / "main.pipe"]})
    if result.errors:
        first = result.errors[0]
        raise ScaffoldError(f"the new project would not check: {first.code}: {first.message}",
                            "choose another tenant name with --tenant")


PIPEC_TOML = """\
# pipec project file: `pipec check` and `pipec compile` read it when you run
# them without file arguments, from this folder or any folder below it.
entry = ["main.pipe"]   # the files to compile, relative to this file
env   = "local"         # the environment `pipec compile` uses without --env
out   = "build"         # where `pipec compile` writes without --out
"""

MAIN_PIPE = """\
# A new pipec project: one tenant, one pipeline, two environments.
# `pipec check` checks it; `pipec compile --env local` (or `--env prod`) compiles it.

# std/runners brings the ready-made runners (postgres_extract, dbt_run, ...),
# std/profiles the resource profiles small, medium, large and xlarge.
import "std/runners"
import "std/profiles"

# Settings shared by every tenant and pipeline.
platform {{
  registry = "registry.localhost/etl"  # where the runner images are pulled from
  timezone = "UTC"  # the timezone of every cron schedule
  start = "2024-01-01"  # the DAGs' start date
}}

# On your laptop: every task is a Docker container (DockerOperator).
environment local {{
  operator = docker
  network = "edge"
}}

# In production: every task is a Kubernetes pod (KubernetesPodOperator).
environment prod {{
  operator = kubernetes
}}

/// The first tenant: its data lives in the "{tenant}" schema, its pods run in "{namespace}".
tenant {tenant} {{
  schema = "{tenant}"
  namespace = "{namespace}"
  quota = {{ cpu = "4", memory = "16Gi", pods = 10 }}

  # The stdlib runners read `source` and `warehouse`: Kubernetes Secrets in prod,
  # the Airflow connections {tenant}__source and {tenant}__warehouse locally.
  secret source = k8s_secret("{secret}-source", key = "dsn")
  secret warehouse = k8s_secret("{secret}-warehouse", key = "dsn")
}}

/// Daily sales numbers, from the source database to a fact table.
pipeline sales {{
  tenants = [{tenant}]
  schedule = "0 6 * * *"  # every day at 06:00
  retries = 1  # retry a failed task once
  timeout = 1h  # no task may run longer
  owner = "data-eng"  # shown on the DAG in Airflow
  on_failure = email("data-eng@example.com")  # who hears about a failed run

  bronze {{
    task extract_orders = postgres_extract(table = "orders")
  }}

  silver {{
    task stg_orders = dbt_run(select = "stg_orders") after extract_orders
  }}

  gold {{
    task fct_sales = dbt_run(select = "fct_sales") after stg_orders {{
      when prod {{ profile = large }}  # more memory in production only
    }}
  }}
}}
"""

README = """\
# A pipec project

`main.pipe` describes the pipelines, the tenant `{tenant}` and the environments.

```sh
pipec check                   # parse and check
pipec compile --env local     # Airflow DAGs with DockerOperator, in build/local
pipec compile --env prod      # KubernetesPodOperator DAGs, pod specs and tenant manifests, in build/prod
pipec graph --format mermaid  # the task graph
```
"""
