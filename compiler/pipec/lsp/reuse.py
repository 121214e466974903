"""Incremental analysis for the language server: what an edit did not touch is not redone.

One ``Reuse`` lives per analysed unit (project) in the session and is passed to
``pipec.driver.analyze``. Each analysis still loads, reads and checks the whole
project (cheap); the expensive steps, instantiating every DAG of every
environment and the lint rules, are replayed from memo tables instead of run
again when their inputs are unchanged.

Inputs are keyed by *fingerprints*: a module's fingerprint is its display path,
real path, text and the fingerprints of every module whose names it sees (its
scope, and the scopes of the runners and profiles it can reach, are built from
nothing else). A DAG's key holds the fingerprints of its pipeline's and its tenant's
modules, the project-wide context a DAG reads (the platform and every
environment, by their modules), the size of the pipeline after ``for``
expansion, and the pipelines scheduled ``after`` it for the same tenant (they
decide whether the DAG publishes an asset). So an edit of one tenant's file re-instantiates that
tenant's DAGs only; an edit of a shared file (platform, runners, profiles,
environments) re-instantiates everything that imports it.

A replayed step reproduces exactly what running it does: its diagnostics in the
order it emitted them (the sink keeps the first of identical ones), the names it
marked used (unused imports, W103), the runners it called (unused runners) and
its quota findings. Tests compare every analysis with a from-scratch one
(tests/lsp/test_incremental.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from pipec.check.graph import check_layers_and_cycles
from pipec.check.tenancy import check_quotas
from pipec.diagnostics import Diagnostic, Sink
from pipec.ir import model as ir
from pipec.ir.decls import Defs, PipelineDef, TenantDef
from pipec.ir.instantiate import Instantiator
from pipec.ir.loader import LoadedModule, Program
from pipec.source import SourceFile, SourceMap, Span
from pipec.syntax import nodes as n


@dataclass(frozen=True)
class DagRecord:
    """What instantiating one DAG did: its result, findings, and the uses it recorded."""

    dag: ir.Dag | None
    diagnostics: tuple[Diagnostic, ...]
    quota: tuple[Diagnostic, ...]  # E403, reported after every DAG of the environment
    runners: frozenset[Span]  # declaration spans of the runners its tasks call
    marks: tuple[tuple[str, frozenset[str]], ...]  # module path -> display paths of modules it used


class KeptSources(SourceMap):
    """A source map that reuses the previous analysis's ``SourceFile`` of an unchanged text
    (its line table is computed once per text, not once per edit)."""

    def __init__(self, previous: dict[str, SourceFile]) -> None:
        super().__init__()
        self.previous = previous

    def add(self, path: str, text: str) -> SourceFile:
        src = self.previous.get(path)
        if src is None or src.text != text:
            return super().add(path, text)
        self._files[path] = src
        return src


class Memo:
    """A table that keeps the entries the last complete pass used and drops the rest."""

    def __init__(self) -> None:
        self.entries: dict = {}
        self._used: dict = {}

    def get(self, key, make: Callable[[], object]):
        if key in self._used:
            return self._used[key]
        value = self.entries[key] if key in self.entries else make()
        self._used[key] = value
        return value

    def sweep(self) -> None:
        """A pass is complete: keep exactly what it used."""
        self.entries, self._used = self._used, {}

    def abandon(self) -> None:
        """A pass stopped half-way: keep everything for the next one."""
        self.entries.update(self._used)
        self._used = {}


class Reuse:
    """Memo tables for one unit, and the fingerprints of the analysis under way."""

    def __init__(self) -> None:
        self.dag_memo = Memo()
        self.lint_memo = Memo()
        self.walks: dict[int, tuple[n.Module, list]] = {}  # id(syntax) -> (syntax, its nodes)
        self.misses = 0  # DAGs the last analysis built (the others were replayed)
        self.linted = False  # whether lint rules ran in the analysis under way
        self._begun = False
        self._program: Program | None = None
        self._sources: KeptSources | None = None
        self._fps: dict[str, tuple] = {}
        self._by_path: dict[str, LoadedModule] = {}
        self._context: tuple | None = None
        self._after: dict[str, tuple] = {}
        self._dag_keys: dict[int, tuple] = {}  # id(dag) -> its key, for the DAGs of this analysis

    # ------------------------------------------------------------ one analysis

    def sources(self) -> KeptSources:
        """A source map for the next analysis, keeping the files of the last one."""
        self._sources = KeptSources(dict(self._sources._files) if self._sources is not None else {})
        return self._sources

    def begin(self, program: Program, defs: Defs) -> None:
        """A clean project's declarations are read: compute the fingerprints the keys use."""
        self._program, self._fps, self._dag_keys = program, {}, {}
        self._by_path = {m.path: m for m in program.modules}
        self.misses, self._begun = 0, True
        self._context = (self._decl_fp(defs.platform_decl),
                         tuple((name, self._decl_fp(decl)) for name, (_, decl) in sorted(defs.envs.items())))
        after: dict[str, list] = {}
        for pipe in defs.pipelines.values():
            if pipe.schedule and pipe.schedule[0] == "after":
                after.setdefault(pipe.schedule[1][0], []).append((pipe.name, tuple(t for t, _ in pipe.tenants)))
        self._after = {name: tuple(sorted(items)) for name, items in after.items()}

    def done(self, program: Program | None) -> None:
        """An analysis is done: tables a complete pass went through forget what it did not use;
        the others keep everything (a file with a syntax error stops before instantiation and
        a project with errors before lint, and the next edit usually repairs it)."""
        (self.dag_memo.sweep if self._begun else self.dag_memo.abandon)()
        (self.lint_memo.sweep if self.linted else self.lint_memo.abandon)()
        if self.linted and program is not None:
            current = {id(m.syntax) for m in program.modules}
            self.walks = {k: v for k, v in self.walks.items() if k in current}
        self._begun = self.linted = False

    def abandon(self) -> None:
        """The analysis failed (a compiler bug): keep every table whole."""
        self.dag_memo.abandon()
        self.lint_memo.abandon()
        self._begun = self.linted = False

    # ------------------------------------------------------------ fingerprints

    def module_fp(self, mod: LoadedModule) -> tuple:
        """The module's path and text and, recursively, those of every module it imports."""
        fp = self._fps.get(mod.path)
        if fp is None:
            src = self._program.sources.get(mod.path)
            deps = sorted(self._deps(mod) - {mod.path})
            fp = self._fps[mod.path] = (mod.path, str(mod.real), src.text if src else None,
                                        tuple(self.module_fp(self._by_path[d]) for d in deps))
        return fp

    def _deps(self, mod: LoadedModule) -> set[str]:
        """The display paths of the modules whose names ``mod`` sees: all a lookup in it can reach
        (an imported file whose names are all shadowed changes nothing in it)."""
        deps = {sym.module.path for sym in mod.imported.values()} | {m.path for m in mod.aliases.values()}
        return deps & self._by_path.keys()

    def _decl_fp(self, decl: n.Decl | None) -> tuple | None:
        if decl is None:
            return None
        mod = self._by_path.get(decl.span.path)
        return (decl.span, self.module_fp(mod) if mod is not None else None)

    def dag_key(self, pipe: PipelineDef, tenant: TenantDef, env: str | None, tenant_span: Span) -> tuple | None:
        """Everything instantiating ``pipe`` for ``tenant`` in ``env`` reads; None when not kept.

        Pipelines with dbt tasks are always built: their tasks come from manifests on disk.
        """
        if any(td.module is not None for td in pipe.tasks):
            return None
        tenant_mod = self._by_path.get(tenant.decl.span.path)
        if tenant_mod is None:
            return None
        return (env, self._context, pipe.name, pipe.decl.span, self.module_fp(pipe.module), len(pipe.tasks),
                tenant.name, tenant.decl.span, self.module_fp(tenant_mod), tenant_span,
                tuple(name for name, tenants in self._after.get(pipe.name, ()) if tenant.name in tenants))

    def key_of(self, dag: ir.Dag) -> tuple | None:
        """The key a DAG of this analysis was instantiated under (None: not kept)."""
        return self._dag_keys.get(id(dag))

    # ------------------------------------------------------------ checks

    def check(self, check: Callable[[Defs, Sink], None], defs: Defs, sink: Sink) -> None:
        """Run one of ``pipec.check.CHECKS``; the task-graph check, which looks at one pipeline
        at a time (in name order), is replayed per pipeline whose file is unchanged."""
        if check is not check_layers_and_cycles:
            check(defs, sink)
            return
        for name in sorted(defs.pipelines):
            pipe = defs.pipelines[name]
            alone = Defs(pipelines={name: pipe})
            self.replay(self._pipeline_key("E301-E302", pipe), sink, lambda out: check(alone, out), self.dag_memo)

    def _pipeline_key(self, step: str, pipe: PipelineDef) -> tuple | None:
        """A pipeline's own declaration, as read from its file and what that imports (None for
        pipelines with dbt tasks, read from manifests)."""
        if any(td.module is not None for td in pipe.tasks):
            return None
        return (step, pipe.name, pipe.decl.span, self.module_fp(pipe.module), len(pipe.tasks))

    # ------------------------------------------------------------ instantiation

    def dags(self, inst: Instantiator, env: str | None, sink: Sink) -> list[ir.Dag]:
        """``Instantiator.dags(env)`` and its quota check, DAG by DAG from the memo where unchanged."""
        defs, out, quota = inst.defs, [], []
        for name in sorted(defs.pipelines):
            pipe = defs.pipelines[name]
            for tenant_name, tenant_span in sorted(set(pipe.tenants)):
                tenant = defs.tenants.get(tenant_name)
                if tenant is None:
                    continue
                key = self.dag_key(pipe, tenant, env, tenant_span)
                build = lambda: self._build(defs, pipe, tenant, env, tenant_span)  # noqa: E731
                record = build() if key is None else self.dag_memo.get(key, build)
                self._replay(record, inst, sink)
                quota.extend(record.quota)
                if record.dag is not None:
                    out.append(record.dag)
                    if key is not None:
                        self._dag_keys[id(record.dag)] = key
        for diag in quota:
            sink.add(diag)
        return out

    def _build(self, defs: Defs, pipe: PipelineDef, tenant: TenantDef, env: str | None, tenant_span: Span) -> DagRecord:
        self.misses += 1
        before = {m.path: set(m.used) for m in self._program.modules}
        own, quota = Sink(), Sink()
        inst = Instantiator(defs, own)
        dag = inst.dag(pipe, tenant, env, tenant_span)
        check_quotas(inst.take_placements(), quota)
        marks = tuple((m.path, frozenset(m.used - before[m.path])) for m in self._program.modules
                      if m.used != before[m.path])
        return DagRecord(dag, tuple(own.items), tuple(quota.items), frozenset(inst.used), marks)

    def _replay(self, record: DagRecord, inst: Instantiator, sink: Sink) -> None:
        for diag in record.diagnostics:
            sink.add(diag)
        inst.used |= record.runners
        for path, used in record.marks:
            self._by_path[path].used |= used

    # ------------------------------------------------------------ lint

    def nodes(self, syntax: n.Module, walk: Callable) -> list:
        """Every node of a module's syntax, walked once per parse (unchanged files keep their tree)."""
        found = self.walks.get(id(syntax))
        if found is None or found[0] is not syntax:
            found = self.walks[id(syntax)] = (syntax, list(walk(syntax)))
        return found[1]

    def replay(self, key: tuple | None, sink: Sink, run: Callable[[Sink], object], memo: Memo | None = None):
        """Run ``run(sink)`` for a lint step, or replay what it emitted (and returned) under ``key``."""
        if key is None:
            return run(sink)

        def make():
            own = Sink()
            value = run(own)
            return tuple(own.items), value

        diagnostics, value = (memo or self.lint_memo).get(key, make)
        for diag in diagnostics:
            sink.add(diag)
        return value
