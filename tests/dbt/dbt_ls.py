"""Run `dbt ls` for several selections in one process (dbt's own Python entry point).

Run with the dbt venv's Python (.venv-dbt), never imported by pytest:

    python dbt_ls.py PROJECT_DIR '[["select", "exclude"], ...]' OUT.json

writes a JSON list (dbt itself prints each listed node on stdout): for each selection, the listed nodes as
{unique_id: {"resource_type": ..., "name": ..., "parents": [...]}}.
"""

import json
import sys

from dbt.cli.main import dbtRunner

KEYS = ["unique_id", "resource_type", "name", "depends_on"]


def listing(runner: dbtRunner, project: str, select: str, exclude: str) -> dict:
    args = ["ls", "--quiet", "--project-dir", project, "--profiles-dir", project, "--log-path",
            f"{project}/target/logs", "--output", "json", "--output-keys", *KEYS]
    args += ["--select", select] if select else []
    args += ["--exclude", exclude] if exclude else []
    result = runner.invoke(args)
    if not result.success:
        raise SystemExit(f"dbt ls {select!r} --exclude {exclude!r} failed: {result.exception}")
    out = {}
    for line in result.result:
        node = json.loads(line)
        out[node["unique_id"]] = {"resource_type": node["resource_type"], "name": node["name"],
                                  "parents": sorted((node.get("depends_on") or {}).get("nodes") or [])}
    return out


def main() -> None:
    project, pairs, out = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    runner = dbtRunner()
    found = [listing(runner, project, s, e) for s, e in pairs]
    with open(out, "w", encoding="utf-8") as handle:
        json.dump(found, handle, sort_keys=True)


if __name__ == "__main__":
    main()
