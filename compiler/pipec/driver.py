"""The one place that wires the stages: load -> read declarations -> check -> instantiate.

Front ends (CLI, language server, tests) call ``analyze`` or ``build``; none of
them runs a stage on its own.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from pipec.check import CHECKS
from pipec.check.tenancy import check_quotas
from pipec.diagnostics import Diagnostic, Sink
from pipec.ir import model as ir
from pipec.ir import specs
from pipec.ir.decls import DeclReader, Defs
from pipec.ir.instantiate import Instantiator
from pipec.ir.loader import Program, load_program, unused_imports
from pipec.lint import LintConfig, lint
from pipec.source import SourceMap, Span


@dataclass
class Analysis:
    """The outcome of analysing a project: diagnostics, and the IR when asked and clean."""

    sources: SourceMap
    diagnostics: list[Diagnostic] = field(default_factory=list)
    program: Program | None = None
    defs: Defs | None = None
    project: ir.Project | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity.value == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity.value == "warning"]


def analyze(entries: list[Path], root: Path, env: str | None = None, *, all_envs: bool = True,
            sources: SourceMap | None = None, overlays: Mapping[Path, str] | None = None,
            lint_config: LintConfig | None = LintConfig(), memo=None, reuse=None) -> Analysis:
    """Parse and check; with ``env``, also build the IR for that environment.

    ``overlays`` maps file paths to text read instead of the file on disk (the
    unsaved buffers of an editor). ``lint_config`` selects the lint warnings
    (``pipec.lint``), after suppression comments; None runs no lint rule and
    leaves every warning in. ``memo`` (program -> a ``pipec.incremental.dags.DagMemo``)
    reuses DAGs an earlier run instantiated from the same inputs.

    Checks run for every declared environment (``when`` blocks differ), so an
    error in any environment's configuration is found by ``pipec check``.

    ``reuse`` (the language server's ``pipec.lsp.reuse.Reuse``) replays the DAGs
    and lint findings an edit did not touch from its memo tables.
    """
    sink, sources = Sink(), sources or SourceMap()
    program = load_program(entries, root, sink, sources, overlays)
    result = Analysis(sources, program=program)
    if _has_syntax_errors(sink):
        result.diagnostics = _finish(program, None, None, sink, lint_config, reuse)
        return result
    defs = DeclReader(program, sink).read()
    if any(d.code == "E711" for d in sink.items):  # over the task limit: checking them all is what it bounds
        result.diagnostics = _finish(program, None, None, sink, lint_config, reuse)
        return result
    if reuse is not None:
        reuse.begin(program, defs)
    for check in CHECKS:
        if reuse is not None:
            reuse.check(check, defs, sink)
        else:
            check(defs, sink)
    result.defs = defs
    inst = Instantiator(defs, sink, memo(program) if memo is not None else None)
    envs = sorted(defs.envs) if all_envs else []
    dags = {}
    for name in envs or [None]:
        instantiated = _dags(inst, name, sink, reuse)
        if lint_config is not None or name == env:  # lint reads every environment's DAGs; compile only its own
            dags[name] = instantiated
        del instantiated  # the others are checked and dropped here: a compile's peak memory holds one environment
    inst.check_unused_runners()
    if env is not None:
        result.project = _project(defs, inst, env, sink, root, dags.get(env))
    unused_imports(program, sink)
    clean = not sink.has_errors and all_envs
    result.diagnostics = _finish(program, defs if clean else None, dags if clean else None, sink, lint_config,
                                 reuse)
    if sink.has_errors:
        result.project = None
    return result


def _finish(program: Program, defs: Defs | None, dags, sink: Sink, config: LintConfig | None,
            reuse=None) -> list[Diagnostic]:
    if config is None:
        return sink.sorted()
    return lint(program, defs, dags, sink, config, reuse)


def _dags(inst: Instantiator, env: str | None, sink: Sink, reuse=None) -> list[ir.Dag]:
    if reuse is not None:
        return reuse.dags(inst, env, sink)
    dags = inst.dags(env)
    check_quotas(inst.take_placements(), sink)
    return dags


def _has_syntax_errors(sink: Sink) -> bool:
    return any(d.code.startswith("E0") or d.code in ("E101", "E102", "E103", "E704", "E707", "E709") for d in sink.items)


def _project(defs: Defs, inst: Instantiator, env: str, sink: Sink, root: Path,
             dags: list[ir.Dag] | None) -> ir.Project | None:
    """The IR for ``env``; ``dags`` are its DAGs when the caller already instantiated them
    (their diagnostics and quota check are in ``sink`` then: a second pass would only repeat them)."""
    if env not in defs.envs:
        hint = ", ".join(sorted(defs.envs)) or "none are declared"
        sink.emit("E701", f"unknown environment `{env}`", Span("<command line>", 0, 0),
                  help=f"environments: {hint}")
        return None
    if defs.platform is None:
        sink.emit("E113", "the project has no `platform` block", Span("<command line>", 0, 0),
                  help='add `platform { registry = "registry.example.com/etl" }`')
        return None
    if dags is None:
        dags = _dags(inst, env, sink)
    if sink.has_errors:
        return None
    read, _ = defs.envs[env]
    environment = ir.Environment(name=env, **{k: v for k, v in read.values.items() if v is not None})
    platform = ir.Platform(**specs.platform_values(defs.platform))
    tenants = tuple(_tenant(defs.tenants[name]) for name in sorted(defs.tenants))
    return ir.Project(environment=environment, platform=platform, tenants=tenants,
                      dags=tuple(sorted(dags, key=lambda d: d.dag_id)), inputs=_inputs(defs, root))


def _inputs(defs: Defs, root: Path) -> tuple[tuple[str, str], ...]:
    """The dbt manifests the project reads, with their hashes (recorded in the output manifest.json)."""
    found = {(Path(os.path.relpath(d.manifest_path.resolve(), root.resolve())).as_posix(), d.sha256)
             for d in defs.dbt.values() if d.sha256 is not None}
    return tuple(sorted(found))


def _tenant(t) -> ir.Tenant:
    read = t.read
    quota = read.get("quota")
    return ir.Tenant(
        name=t.name, db_schema=read.get("schema"), namespace=read.get("namespace"),
        enclave=read.get("enclave", "standard"), quota=ir.Quota(**quota), pool_name=t.name,
        pool_slots=read.get("pool", 8), egress=tuple(ir.Egress(cidr=c, port=p) for c, p in read.get("egress", [])),
        secrets=tuple((slot, ir.SecretSource(secret_name=s[0], key=s[1])) for slot, s in sorted(t.secrets.items())),
        doc=t.decl.doc)
