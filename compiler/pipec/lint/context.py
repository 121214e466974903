"""What lint rules look at: the definitions, the syntax, and the DAGs of every environment.

Rules run only on a project without errors, so every task resolves to a runner
and every DAG of every environment was built. ``LintContext`` maps the IR back
to the declarations (and so to spans) a rule reports on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Callable, Iterator

from pipec.ir import model as ir
from pipec.ir.decls import Defs, PipelineDef, RunnerDef, TaskDef
from pipec.ir.loader import LoadedModule, Program
from pipec.diagnostics import Sink
from pipec.source import SourceMap, Span
from pipec.syntax import nodes as n


@dataclass
class LintContext:
    """``dags`` maps each environment name (None when none is declared) to its DAGs.

    ``reuse`` is the language server's ``pipec.lsp.reuse.Reuse`` (None elsewhere):
    a rule's step over one DAG or one module runs through ``memo`` under a key of
    everything it reads, and is replayed when an edit left that unchanged.
    """

    program: Program
    defs: Defs
    dags: dict[str | None, list[ir.Dag]]
    reuse: Any = None
    sources: SourceMap = field(init=False)
    _nodes: dict[str, list] = field(init=False, default_factory=dict, repr=False)
    _user_paths: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.sources = self.program.sources
        self._user_paths = frozenset(m.path for m in self.program.modules if not m.is_std)

    # ------------------------------------------------------------ reuse across analyses

    def memo(self, key: tuple | None, sink: Sink, run: Callable[[Sink], Any]) -> Any:
        """``run(sink)``: what it emits goes to ``sink`` and its result is returned. Under a
        language server's reuse and a key (None: always run), the step's last run is replayed
        instead; the key must hold everything the step reads."""
        if self.reuse is None or key is None:
            return run(sink)
        return self.reuse.replay(key, sink, run)

    def dag_key(self, rule: str, dag: ir.Dag) -> tuple | None:
        """A key for a rule's step over one DAG: the DAG's own key covers its pipeline's and
        tenant's files and the environments (None outside the language server)."""
        key = self.reuse.key_of(dag) if self.reuse is not None else None
        return (rule, key) if key is not None else None

    def module_key(self, rule: str, mod: LoadedModule) -> tuple | None:
        """A key for a rule's step over one module: its text and the files it imports."""
        return (rule, self.reuse.module_fp(mod)) if self.reuse is not None else None

    # ------------------------------------------------------------ modules and syntax

    @property
    def user_modules(self) -> list[LoadedModule]:
        """The project's own files (the stdlib is not linted)."""
        return [m for m in self.program.modules if not m.is_std]

    def nodes(self, mod: LoadedModule) -> list:
        """Every syntax node of a module, as ``walk`` yields them (walked once, shared by the rules)."""
        if mod.path not in self._nodes:
            self._nodes[mod.path] = self.reuse.nodes(mod.syntax, walk) if self.reuse else list(walk(mod.syntax))
        return self._nodes[mod.path]

    def is_user(self, span: Span) -> bool:
        return span.path in self._user_paths

    # ------------------------------------------------------------ environments

    def operator(self, env: str | None) -> str | None:
        if env is None or env not in self.defs.envs:
            return None
        return self.defs.envs[env][0].get("operator")

    @property
    def kubernetes_envs(self) -> list[str]:
        return [e for e in sorted(self.defs.envs) if self.operator(e) == "kubernetes"]

    def env_dags(self) -> Iterator[tuple[str | None, ir.Dag]]:
        for env in sorted(self.dags, key=lambda e: e or ""):
            for dag in self.dags[env]:
                yield env, dag

    # ------------------------------------------------------------ declarations

    def pipelines(self) -> list[PipelineDef]:
        return [self.defs.pipelines[p] for p in sorted(self.defs.pipelines)]

    def task_def(self, pipeline: str, task: str) -> TaskDef:
        return self._task_defs[(pipeline, task)]

    @cached_property
    def _task_defs(self) -> dict[tuple[str, str], TaskDef]:
        out: dict[tuple[str, str], TaskDef] = {}
        for pipe in self.defs.pipelines.values():
            for td in pipe.tasks:
                out.setdefault((pipe.name, td.name), td)
        return out

    def runner_of(self, pipe: PipelineDef, td: TaskDef) -> RunnerDef | None:
        sym, _ = pipe.module.lookup(tuple(p.text for p in td.call.callee.parts))
        return None if sym is None else self.defs.runners.get(sym.decl.span)

    def layer_span(self, pipe: PipelineDef, layer: str) -> Span:
        for entry in pipe.decl.block.entries:
            if isinstance(entry, n.LayerBlock) and entry.layer.text == layer:
                return entry.layer.span
        return pipe.decl.name.span

    def setting_span(self, pipe: PipelineDef, td: TaskDef, env: str | None, name: str) -> Span | None:
        """Where the value of setting ``name`` of a task comes from (precedence of spec 3.1), None for the default."""
        block = td.block.entries if td.block else ()
        for entry in block:
            if isinstance(entry, n.WhenBlock) and entry.env.text == env:
                found = _field(entry.block.entries, name)
                if found is not None:
                    return found
        found = _field(block, name)
        if found is not None:
            return found
        runner = self.runner_of(pipe, td)
        if runner is not None and name in runner.fields:
            return runner.fields[name].value.span
        return pipe.read.spans.get(name)


def _field(entries, name: str) -> Span | None:
    for entry in entries:
        if isinstance(entry, n.Field) and entry.key.text == name:
            return entry.value.span
    return None


def walk(node) -> Iterator:
    """Every syntax node under ``node`` (itself included), depth first in source order.

    Lists and tuples count as nodes; spans and plain values are not entered.
    Iterative (an explicit stack) and with each class's fields looked up once:
    three rules walk every module, and nested generators made this the largest
    cost of linting a big project.
    """
    stack = [node]
    while stack:
        item = stack.pop()
        yield item
        if isinstance(item, (list, tuple)):
            children = [c for c in item]
        else:
            names = _child_fields(type(item))
            if not names:
                continue
            children = [getattr(item, name) for name in names]
            children = [c for c in children if isinstance(c, (list, tuple)) or _enters(c)]
        stack.extend(reversed(children))


def _enters(value) -> bool:
    return dataclasses.is_dataclass(value) and not isinstance(value, Span)


_FIELDS: dict[type, tuple[str, ...]] = {}


def _child_fields(cls: type) -> tuple[str, ...]:
    """The field names of a syntax class (none for spans and values that are not dataclasses)."""
    names = _FIELDS.get(cls)
    if names is None:
        enters = dataclasses.is_dataclass(cls) and not issubclass(cls, Span)
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls)) if enters else ()
    return names
