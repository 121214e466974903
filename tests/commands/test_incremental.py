"""The incremental compile: after any edit its outputs and diagnostics equal a cold compile's.

Each test keeps two copies of a project, ``inc`` (compiled with the store, as
users do) and ``cold`` (``PIPEC_NO_CACHE=1``), applies the same edits to both
and compares, after every edit, the exit code, stdout, stderr (with the
project's folder written the same way) and every output byte. Parse trees are
forgotten in memory before each incremental run, so they come from the store.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import pipec.ir.instantiate
from pipec import buildcache
from pipec.incremental import syntaxcodec
from pipec.incremental.store import store_dir
from pipec.syntax import parser
from tests.commands.support import EXAMPLES, invoke

PLATFORM = """\
platform {
  registry = "registry.example.com/etl"
  timezone = "UTC"
  start = "2024-01-01"
}

environment local {
  operator = docker
  network = "edge"
}

environment prod {
  operator = kubernetes
  queues = ["bronze"]
}

profile heavy { cpu = "2", memory = "8Gi" }
"""

RUNNERS = """\
import "std/profiles"

runner loader(table: string) {
  image = "${platform.registry}/loader:1.0"
  args = ["--table", table, "--schema", tenant.schema]
  secrets = [source]
  profile = small
}
"""

# A pipeline in its own file that waits for acme's: acme_daily's DAG then publishes an asset.
AFTER = """\
import "std/runners"
import "./tenants/acme.pipe"

pipeline acme_reports {
  tenants = [acme]
  schedule = after(acme_daily)

  gold {
    task report = dbt_run(select = "report")
  }
}
"""


def tenant_file(name: str, pool: int = 8, tasks: int = 3) -> str:
    """A tenant and its pipeline; acme's file does not import the platform's (it reaches it only
    through the project-wide platform and environments)."""
    shared = name != "acme"
    lines = ['import "std/runners"', 'import "std/profiles"'] + (['import "../platform.pipe"'] if shared else [])
    lines += ['import "../runners.pipe"', "", f"tenant {name} {{", f'  schema = "{name}"', f'  namespace = "tenant-{name}"',
             '  quota = { cpu = "8", memory = "32Gi", pods = 40 }', f"  pool = {pool}",
             f'  secret source = k8s_secret("{name}-source", key = "dsn")',
             f'  secret warehouse = k8s_secret("{name}-warehouse", key = "dsn")', "}", "",
             f"pipeline {name}_daily {{", f"  tenants = [{name}]", '  schedule = "0 5 * * *"', "  retries = 2", "",
             "  bronze {"]
    lines += [f'    task load_t{i} = loader(table = "t{i}")' for i in range(tasks)]
    lines += ["  }", "", "  silver {"]
    lines += [f'    task stg_t{i} = dbt_run(select = "stg_t{i}") after load_t{i}' for i in range(tasks)]
    override = "profile = heavy" if shared else "retries = 4"
    lines += ["  }", "", "  gold {", "    task fct = dbt_run(select = \"fct\") after "
              + ", ".join(f"stg_t{i}" for i in range(tasks)) + " {", f"      when prod {{ {override} }}", "    }",
              "  }", "}"]
    return "\n".join(lines) + "\n"


def write_project(root: Path, tenants=("acme", "globex", "initech")) -> Path:
    (root / "tenants").mkdir(parents=True)
    (root / "pipec.toml").write_text('entry = ["main.pipe"]\nenv = "prod"\nout = "build"\n', encoding="utf-8")
    (root / "platform.pipe").write_text(PLATFORM, encoding="utf-8")
    (root / "runners.pipe").write_text(RUNNERS, encoding="utf-8")
    for name in tenants:
        (root / "tenants" / f"{name}.pipe").write_text(tenant_file(name), encoding="utf-8")
    imports = "".join(f'import "./tenants/{name}.pipe"\n' for name in tenants)
    (root / "main.pipe").write_text('import "./platform.pipe"\n' + imports, encoding="utf-8")
    return root


class Twins:
    """Two copies of one project: one compiled incrementally, one cold; the same edits to both."""

    def __init__(self, base: Path, monkeypatch, env: str = "prod") -> None:
        self.inc, self.cold, self.env, self.mp = base.parent / "inc", base.parent / "cold", env, monkeypatch
        shutil.copytree(base, self.inc, ignore=shutil.ignore_patterns("build", "out"))
        shutil.copytree(base, self.cold, ignore=shutil.ignore_patterns("build", "out"))

    def skip_noop_cache(self) -> None:
        """Drop the no-op record, so that the next compile goes through the incremental store."""
        from pipec import buildcache

        buildcache.record_path(self.inc / "build", self.env).unlink(missing_ok=True)

    def edit(self, change: Callable[[Path], None]) -> None:
        change(self.inc)
        change(self.cold)

    def compile(self, *extra: str):
        parser._PARSED.clear()  # parse trees come from the store, not from this process's memory
        self.mp.delenv("PIPEC_NO_CACHE", raising=False)
        inc = invoke(["compile", "--env", self.env, "--out", "build", *extra], self.inc)
        self.mp.setenv("PIPEC_NO_CACHE", "1")
        cold = invoke(["compile", "--env", self.env, "--out", "build", *extra], self.cold)
        self.mp.delenv("PIPEC_NO_CACHE")
        shown = [(o.exit_code, o.stdout.replace(str(root), "ROOT"), o.stderr.replace(str(root), "ROOT"))
                 for o, root in ((inc, self.inc), (cold, self.cold))]
        assert shown[0] == shown[1]
        assert _tree(self.inc / "build" / self.env) == _tree(self.cold / "build" / self.env)
        return inc


def _tree(root: Path) -> dict[str, bytes]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def built(monkeypatch) -> list[tuple[str, str]]:
    """(pipeline, tenant) of every DAG instantiated afresh (not replayed from the store)."""
    calls: list[tuple[str, str]] = []
    real = pipec.ir.instantiate.Instantiator.build_dag

    def counting(self, pipe, tenant, env, span):
        calls.append((pipe.name, tenant.name))
        return real(self, pipe, tenant, env, span)

    monkeypatch.setattr(pipec.ir.instantiate.Instantiator, "build_dag", counting)
    return calls


@pytest.fixture
def twins(tmp_path, monkeypatch) -> Twins:
    twins = Twins(write_project(tmp_path / "base"), monkeypatch)
    assert twins.compile().exit_code == 0
    return twins


# ---------------------------------------------------------------- edits


def _replace(rel: str, old: str, new: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        path = root / rel
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {rel}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
    change.__name__ = f"{rel}: {old} -> {new}"
    return change


def _delete(rel: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / rel).unlink()
    return change


def _write(rel: str, text: str) -> Callable[[Path], None]:
    def change(root: Path) -> None:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return change


EDITS = {
    "tenant-pool": _replace("tenants/globex.pipe", "pool = 8", "pool = 12"),
    "tenant-schema": _replace("tenants/acme.pipe", 'schema = "acme"', 'schema = "acme_v2"'),
    "tenant-quota": _replace("tenants/initech.pipe", 'cpu = "8"', 'cpu = "6"'),
    "task-args": _replace("tenants/acme.pipe", 'loader(table = "t1")', 'loader(table = "t1_new")'),
    "task-added": _replace("tenants/globex.pipe", '    task load_t0 = loader(table = "t0")\n',
                           '    task load_t0 = loader(table = "t0")\n    task load_extra = loader(table = "extra")\n'),
    "task-renamed": _replace("tenants/initech.pipe", "fct = dbt_run", "fct_all = dbt_run"),
    "runner-image": _replace("runners.pipe", "loader:1.0", "loader:1.1"),
    "runner-arg": _replace("runners.pipe", '"--table", table', '"--table", table, "--fast"'),
    "profile": _replace("platform.pipe", 'cpu = "2", memory = "8Gi"', 'cpu = "3", memory = "8Gi"'),
    "platform": _replace("platform.pipe", 'timezone = "UTC"', 'timezone = "Europe/Amsterdam"'),
    "environment": _replace("platform.pipe", 'queues = ["bronze"]', 'queues = ["bronze", "silver"]'),
    "new-environment": _replace("platform.pipe", "profile heavy",
                                'environment staging {\n  operator = kubernetes\n}\n\nprofile heavy'),
    "import-added": _replace("main.pipe", 'import "./platform.pipe"\n',
                             'import "./platform.pipe"\nimport "./runners.pipe"\n'),
    "import-removed": _replace("tenants/acme.pipe", 'import "../runners.pipe"\n', ""),
    "tenant-added": lambda root: (_write("tenants/hooli.pipe", tenant_file("hooli"))(root),
                                  _replace("main.pipe", 'import "./platform.pipe"\n',
                                           'import "./platform.pipe"\nimport "./tenants/hooli.pipe"\n')(root)),
    "after-pipeline": lambda root: (_write("reports.pipe", AFTER)(root),
                                    _replace("main.pipe", 'import "./platform.pipe"\n',
                                             'import "./platform.pipe"\nimport "./reports.pipe"\n')(root)),
    "file-deleted": _delete("tenants/globex.pipe"),
    "syntax-error": _replace("tenants/acme.pipe", "pool = 8", "pool = = 8"),
    "type-error": _replace("tenants/globex.pipe", 'loader(table = "t2")', "loader(table = 2)"),
    "quota-exceeded": _replace("tenants/initech.pipe", 'memory = "32Gi"', 'memory = "4Gi"'),
    "undeclared-queue": _replace("tenants/acme.pipe", "when prod { retries = 4 }",
                                 'when prod { retries = 4, queue = "gold" }'),
    "registry": _replace("platform.pipe", 'registry = "registry.example.com/etl"',
                         'registry = "registry.example.com/etl2"'),
    "env-registry": _replace("platform.pipe", "  operator = kubernetes\n",
                             '  operator = kubernetes\n  registry = "prod.example.com/etl"\n'),
    "pipec.toml": _replace("pipec.toml", 'out = "build"', 'out = "build"\n# edited'),
    "comment": _replace("tenants/acme.pipe", "tenant acme {", "# the biggest tenant\ntenant acme {"),
}


@pytest.mark.parametrize("name", sorted(EDITS))
def test_an_edit_compiles_to_what_a_cold_compile_writes_and_reports(twins, name):
    twins.edit(EDITS[name])
    twins.compile()
    twins.skip_noop_cache()  # else the no-op cache answers the next two runs
    twins.compile("--check")
    twins.skip_noop_cache()
    twins.compile()  # a second run from the store the first one left


def test_a_one_tenant_edit_instantiates_only_that_tenant(twins, built):
    twins.edit(EDITS["tenant-pool"])
    built.clear()
    twins.mp.delenv("PIPEC_NO_CACHE", raising=False)
    parser._PARSED.clear()
    assert invoke(["compile", "--env", "prod", "--out", "build"], twins.inc).exit_code == 0
    assert set(built) == {("globex_daily", "globex")} and len(built) == 2  # local and prod


def test_a_shared_file_edit_instantiates_everything_again(twins, built):
    twins.edit(EDITS["runner-image"])
    built.clear()
    twins.compile()
    assert {t for _, t in built} == {"acme", "globex", "initech"}


def test_errors_are_reported_as_a_cold_compile_reports_them(twins):
    twins.edit(EDITS["type-error"])
    out = twins.compile()
    assert out.exit_code == 1 and "E2" in out.stdout
    twins.edit(_replace("tenants/globex.pipe", "loader(table = 2)", 'loader(table = "t2")'))
    assert twins.compile().exit_code == 0


@settings(max_examples=12, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(st.sampled_from(sorted(EDITS)), min_size=1, max_size=4))
def test_any_sequence_of_edits_compiles_as_a_cold_compile(tmp_path_factory, monkeypatch, names):
    base = tmp_path_factory.mktemp("seq")
    twins = Twins(write_project(base / "base"), monkeypatch)
    twins.compile()
    for name in names:
        try:
            twins.edit(EDITS[name])
        except (AssertionError, FileNotFoundError):  # an earlier edit removed what this one changes
            continue
        twins.compile()


def test_the_store_holds_only_what_the_last_run_used(twins):
    store = store_dir(twins.inc / "build", "prod")
    before = {p.name for p in store.rglob("*") if p.is_file()}
    twins.edit(EDITS["tenant-pool"])
    twins.compile()
    after = {p.name for p in store.rglob("*") if p.is_file()}
    assert len(after) == len(before) and after != before


@pytest.mark.parametrize("damage", ["garbage", "truncated", "swapped", "empty"])
def test_a_damaged_or_foreign_store_is_never_trusted(twins, damage):
    store = store_dir(twins.inc / "build", "prod")
    files = sorted(p for p in store.rglob("*") if p.is_file())
    assert files
    texts = [p.read_bytes() for p in files]
    for i, path in enumerate(files):
        if damage == "garbage":
            path.write_bytes(b"\x00\xffnot an entry\n{]")
        elif damage == "truncated":
            path.write_bytes(texts[i][: len(texts[i]) // 2])
        elif damage == "swapped":  # every entry holds another entry's (intact) text
            path.write_bytes(texts[(i + 1) % len(texts)])
        else:
            path.write_bytes(b"")
    twins.edit(EDITS["tenant-pool"])
    twins.compile()


def test_a_tampered_entry_body_is_a_miss(twins):
    store = store_dir(twins.inc / "build", "prod")
    for path in (store / "dag").iterdir():
        head, _, body = path.read_text(encoding="utf-8").partition("\n")
        path.write_text(head + "\n" + body.replace("registry.example.com", "evil.example.com"), encoding="utf-8")
    twins.edit(EDITS["tenant-pool"])
    twins.compile()


def test_an_output_changed_by_hand_is_rendered_again(twins):
    def tamper(root: Path) -> None:
        dag = next((root / "build" / "prod").rglob("acme__acme_daily.py"))
        dag.write_bytes(dag.read_bytes() + b"# edited\n")
        (root / "build" / "prod" / "globex" / "pools.json").unlink()

    twins.edit(tamper)
    twins.edit(EDITS["tenant-quota"])
    assert "wrote 4 files" in twins.compile().stderr


@pytest.mark.parametrize("example", [p for p in EXAMPLES if p.name != "shop_dbt"], ids=lambda p: p.name)
@pytest.mark.parametrize("env", ["local", "prod"])
def test_the_examples_compile_incrementally_as_cold(example, env, tmp_path, monkeypatch):
    twins = Twins(_copy(example, tmp_path / "base"), monkeypatch, env)
    twins.compile()
    for path in sorted(twins.inc.rglob("*.pipe")):
        rel = path.relative_to(twins.inc).as_posix()
        twins.edit(lambda root, rel=rel: (root / rel).write_text((root / rel).read_text(encoding="utf-8")
                                                                  .replace("retries = 2", "retries = 3"),
                                                                  encoding="utf-8"))
        twins.compile()


def test_a_dbt_project_compiles_incrementally_as_cold(tmp_path, monkeypatch):
    shop = next(p for p in EXAMPLES if p.name == "shop_dbt")
    assert (shop / "dbt" / "target" / "manifest.json").is_file(), "run `make dbt-manifests`"
    twins = Twins(_copy(shop, tmp_path / "base"), monkeypatch)
    twins.compile()
    manifest = Path("dbt") / "target" / "manifest.json"

    def retag_a_model(root: Path) -> None:
        import json

        doc = json.loads((root / manifest).read_text(encoding="utf-8"))
        first = sorted(uid for uid, node in doc["nodes"].items() if node["resource_type"] == "model")[0]
        doc["nodes"][first]["tags"] = sorted(set(doc["nodes"][first].get("tags") or []) | {"edited"})
        (root / manifest).write_text(json.dumps(doc), encoding="utf-8")

    twins.edit(retag_a_model)
    twins.compile()
    twins.edit(_replace("main.pipe", "timeout = ", "timeout = = "))
    assert twins.compile().exit_code == 1
    twins.edit(_replace("main.pipe", "timeout = = ", "timeout = "))
    assert twins.compile().exit_code == 0


def _copy(example: Path, to: Path) -> Path:
    shutil.copytree(example, to, ignore=shutil.ignore_patterns("build", "out", "logs"))
    return to


# ---------------------------------------------------------------- round trips


def _every_module():
    from pipec.driver import analyze

    for example in EXAMPLES:
        entries = sorted(example.rglob("*.pipe"))
        result = analyze(entries, example, None, lint_config=None)
        yield from (m.syntax for m in result.program.modules)


def test_every_syntax_tree_of_the_examples_and_stdlib_round_trips():
    count = 0
    for module in _every_module():
        assert syntaxcodec.decode(syntaxcodec.encode(module), module.path) == module
        count += 1
    assert count > 10


@pytest.mark.parametrize("text", ['{"n": "Module", "f": ["x.pipe", {"t": []}]}',  # too few fields
                                  '{"n": "Popen", "f": []}', '{"t": [1], "x": 2}', "[1, 2", '"a string"',
                                  '{"n": "Module", "f": ["other.pipe", {"t": []}, {"t": []}]}'])
def test_the_syntax_codec_refuses_what_it_did_not_write(text):
    with pytest.raises(syntaxcodec.CodecError):
        syntaxcodec.decode(text, "x.pipe")


def test_the_syntax_codec_encodes_only_what_it_decodes_to_the_same_type():
    from pipec.source import Span
    from pipec.syntax import nodes

    class Word(str):  # e.g. a Lark Token: decoding would give a plain str
        pass

    module = nodes.Module("x.pipe", (), ())
    assert syntaxcodec.decode(syntaxcodec.encode(module), "x.pipe") == module
    with pytest.raises(syntaxcodec.CodecError):
        syntaxcodec.encode(nodes.Module(Word("x.pipe"), (), ()))
    with pytest.raises(syntaxcodec.CodecError):  # a span in another file
        syntaxcodec.encode(nodes.Module("x.pipe", (nodes.Import(nodes.Str((), Span("y.pipe", 0, 1)), None,
                                                                             Span("x.pipe", 0, 1)),), ()))


def test_every_dag_of_the_examples_round_trips_through_json(tmp_path):
    from pipec.driver import analyze
    from pipec.ir import model as ir

    dags = 0
    for example in EXAMPLES:
        result = analyze([example / "main.pipe"], example, "prod", lint_config=None)
        for dag in result.project.dags if result.project else ():
            assert ir.Dag.model_validate_json(dag.model_dump_json()) == dag
            dags += 1
    assert dags >= 5


def test_no_cache_means_no_store(tmp_path, monkeypatch):
    root = write_project(tmp_path / "p")
    monkeypatch.setenv("PIPEC_NO_CACHE", "1")
    assert invoke(["compile"], root).exit_code == 0
    assert not (root / "build" / buildcache.CACHE_DIR).exists()
