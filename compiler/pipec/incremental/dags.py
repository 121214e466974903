"""Reusing instantiated DAGs: one entry per pipeline, tenant and environment.

An entry holds the IR DAG (as JSON) and what instantiating it did besides:
the runners it called (for the unused-runner check), the pods it placed (for
the quota check) and the imported modules whose names it used (for W103). It
is kept only when instantiating reported nothing at all, and replayed only
under the same key, which hashes everything instantiation can read:

- the pipeline's module and every module it imports, transitively (its scope:
  runners, profiles, enums, and the scopes runner bodies are evaluated in);
- the tenant's module and its imports (its fields and secret slots);
- every module that declares a platform, environment, profile, enum, runner or
  dbt block (the platform, the environments and their queues and registries);
- whether another pipeline waits for this one (``after``), the names, the
  environment and pipec itself.

Each module counts by its display path, real path and full text, so spans
replayed from an entry are the spans a fresh run would make. Pipelines with
tasks from a dbt manifest are always instantiated afresh.
"""

from __future__ import annotations

import json
from pathlib import Path

from pipec.incremental.store import Store, key_of, sha
from pipec.ir import model as ir
from pipec.ir.decls import PipelineDef, TenantDef
from pipec.ir.instantiate import Instantiator, Placement
from pipec.ir.loader import STD_PREFIX, LoadedModule, Program
from pipec.resources import stdlib_dir
from pipec.source import Span
from pipec.syntax import nodes as n

SHARED_KINDS = ("platform", "environment", "profile", "enum", "runner", "dbt")


class DagMemo:
    """``Instantiator.dag`` through the store, for one loaded program."""

    def __init__(self, store: Store, program: Program, rendered_env: str | None = None) -> None:
        self.store, self.program = store, program
        self.rendered_env = rendered_env  # the environment compiled: only its DAGs are rendered
        self.by_path = {m.path: m for m in program.modules}
        self.by_real = {m.real: m for m in program.modules}
        self.digest = {m.path: _module_digest(m, program) for m in program.modules}
        self.shared = key_of(*sorted(self.digest[m.path] for m in program.modules
                                     if any(d.kind in SHARED_KINDS for d in m.syntax.decls)))
        self._closures: dict[str, str] = {}
        self.shas: dict[int, tuple[ir.Dag, str]] = {}  # id(dag) -> (dag, SHA-256 of its JSON)

    def sha_of(self, dag: ir.Dag) -> str:
        """SHA-256 of the DAG's JSON (known for every DAG this memo returned)."""
        known = self.shas.get(id(dag))
        if known is not None and known[0] is dag:
            return known[1]
        return sha(dag.model_dump_json())

    def dag(self, inst: Instantiator, pipe: PipelineDef, tenant: TenantDef, env: str | None,
            tenant_span: Span) -> ir.Dag | None:
        tenant_module = self.by_path.get(tenant.decl.span.path)
        if env is None or tenant_module is None or any(td.module is not None for td in pipe.tasks):
            return inst.build_dag(pipe, tenant, env, tenant_span)
        key = key_of("dag", env, pipe.name, tenant.name, self.shared, self._closure(pipe.module),
                     self._closure(tenant_module), repr(inst.publishes(pipe, tenant)))
        dag = self._replay(inst, key, tenant)
        if dag is None:
            dag = self._record(inst, key, pipe, tenant, env, tenant_span)
        if env != self.rendered_env and dag is not None:
            self.shas.pop(id(dag), None)  # not rendered: its SHA is never asked for, and the DAG can be freed
        return dag

    # ------------------------------------------------------------ keys

    def _closure(self, mod: LoadedModule) -> str:
        """A digest of ``mod`` and every module it imports, transitively."""
        if mod.path not in self._closures:
            seen, todo = {mod.path}, [mod]
            while todo:
                for child in self._imports(todo.pop()):
                    if child.path not in seen:
                        seen.add(child.path)
                        todo.append(child)
            self._closures[mod.path] = key_of(*sorted(self.digest[p] for p in seen))
        return self._closures[mod.path]

    def _imports(self, mod: LoadedModule) -> list[LoadedModule]:
        out = []
        for imp in mod.syntax.imports:
            text = "".join(p.text for p in imp.path.parts if isinstance(p, n.Lit))
            try:
                real = (stdlib_dir() / f"{text[len(STD_PREFIX):]}.pipe" if text.startswith(STD_PREFIX)
                        else mod.real.parent / text).resolve()
            except (OSError, ValueError):
                continue  # reported by the loader: the run has errors and keeps nothing
            if real in self.by_real:
                out.append(self.by_real[real])
        return out

    # ------------------------------------------------------------ entries

    def _replay(self, inst: Instantiator, key: str, tenant: TenantDef) -> ir.Dag | None:
        got = self.store.get("dag", key)
        if got is None:
            return None
        header, body = got
        try:
            runners = [_span(s) for s in header["runners"]]
            placements = [Placement(tenant, _str(t), _str(p), _str(c), _str(m), _span(s))
                          for t, p, c, m, s in header["placements"]]
            marks = [(self.by_path[path], [_str(u) for u in used]) for path, used in header["marks"].items()]
            dag = ir.Dag.model_validate_json(body)
        except (KeyError, TypeError, ValueError, AttributeError):
            return None
        if dag.tenant != tenant.name:
            return None
        inst.used.update(runners)
        inst.placements.extend(placements)
        for mod, used in marks:
            mod.used.update(used)
        self.shas[id(dag)] = (dag, header["sha"])
        return dag

    def _record(self, inst: Instantiator, key: str, pipe: PipelineDef, tenant: TenantDef, env: str,
                tenant_span: Span) -> ir.Dag | None:
        used, marks, offered, placed = inst.used, [(m, m.used) for m in self.program.modules], \
            inst.sink.offered, len(inst.placements)
        inst.used = set()
        for mod, _ in marks:
            mod.used = set()
        try:
            dag = inst.build_dag(pipe, tenant, env, tenant_span)
        finally:
            mine, inst.used = inst.used, used | inst.used
            own_marks = {m.path: sorted(m.used) for m, _ in marks if m.used}
            for mod, before in marks:
                mod.used = before | mod.used
        new_places = inst.placements[placed:]
        if dag is None or inst.sink.offered != offered or any(p.tenant is not tenant for p in new_places):
            return dag
        body = dag.model_dump_json()
        header = {"runners": [_span_json(s) for s in sorted(mine)], "marks": own_marks,
                  "placements": [[p.task, p.profile, p.cpu, p.memory, _span_json(p.span)] for p in new_places]}
        self.store.put("dag", key, body, **header)
        self.shas[id(dag)] = (dag, sha(body))
        return dag


def _module_digest(mod: LoadedModule, program: Program) -> str:
    source = program.sources.get(mod.path)
    text = source.text if source is not None else json.dumps(None)
    return key_of("module", mod.path, str(Path(mod.real)), text)


def _span_json(span: Span) -> list:
    return [span.path, span.start, span.end]


def _span(value) -> Span:
    path, start, end = value
    if not isinstance(path, str) or type(start) is not int or type(end) is not int:
        raise TypeError("not a span")
    return Span(path, start, end)


def _str(value) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value
