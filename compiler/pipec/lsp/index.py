"""What each name in a file refers to: the basis of hover and go to definition.

An ``Index`` walks one module's syntax tree once and records an ``Occurrence``
for every name it can resolve: declaration names, references to declarations
(``medium``, ``std.dbt_run``, ``acme``), runner calls and their argument names,
task names and the names in ``after`` lists, runner parameters, enum values,
``for`` variables and ``${...}`` interpolations of those. Resolution follows the
compiler: the module's scope (``LoadedModule.lookup``), then project-wide names
(tenants, pipelines, environments, the platform).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from pipec.ir.decls import Defs
from pipec.ir.loader import GLOBAL_KINDS, LoadedModule, Program
from pipec.source import Span
from pipec.syntax import nodes as n

BUILTIN_CALLS = ("k8s_secret", "email", "after")


@dataclass(frozen=True, eq=False)
class Target:
    """What a name means.

    ``kind`` is a declaration keyword (runner, profile, tenant, pipeline,
    environment, enum, platform) or one of task, parameter, enum value, loop
    variable, secret, module. ``span`` is the name where it is declared, in
    ``module``; ``node`` the syntax node declaring it; ``owner`` the enclosing
    declaration (the pipeline of a task, the runner of a parameter, the enum of a
    value, the tenant of a secret); ``layer`` the layer of a task.
    """

    kind: str
    name: str
    span: Span
    module: LoadedModule
    node: object = None
    owner: n.Decl | None = None
    layer: str | None = None


@dataclass(frozen=True)
class Occurrence:
    """A name at ``span`` in the indexed file, and what it refers to."""

    span: Span
    target: Target


@dataclass
class _Ctx:
    """Names bound where a value is written: runner parameters and loop variables."""

    decl: n.Decl
    params: dict[str, Target] = field(default_factory=dict)
    bindings: dict[str, Target] = field(default_factory=dict)
    layer: str | None = None
    expected: Target | None = None  # the enum a value is read as, where known


class Index:
    """The occurrences of one module, innermost first at any offset."""

    def __init__(self, program: Program, module: LoadedModule, defs: Defs | None) -> None:
        self.program, self.module, self.defs = program, module, defs
        self.occurrences: list[Occurrence] = []
        self._decl_targets: dict[int, Target] = {}
        self._build()
        self.occurrences.sort(key=lambda o: (o.span.start, o.span.end))
        self._starts = [o.span.start for o in self.occurrences]

    def at(self, offset: int) -> Occurrence | None:
        """The narrowest occurrence whose span holds ``offset`` (its end included)."""
        found = None
        for occ in self.occurrences[:bisect.bisect_right(self._starts, offset)]:
            if occ.span.start <= offset <= occ.span.end:
                if found is None or occ.span.end - occ.span.start <= found.span.end - found.span.start:
                    found = occ
        return found

    # ------------------------------------------------------------ declarations

    def _build(self) -> None:
        for imp in self.module.syntax.imports:
            self._import(imp)
        for decl in self.module.syntax.decls:
            self._decl(decl)

    def _add(self, span: Span, target: Target | None) -> None:
        if target is not None and span.path == self.module.path:
            self.occurrences.append(Occurrence(span, target))

    def _import(self, imp: n.Import) -> None:
        text = "".join(p.text for p in imp.path.parts if isinstance(p, n.Lit))
        for mod in self.program.modules:
            if mod.path == f"{text}.pipe" and mod.is_std or (
                    not mod.is_std and mod.real == (self.module.real.parent / text).resolve()):
                target = Target("module", mod.path, Span(mod.path, 0, 0), mod)
                self._add(imp.path.span, target)
                if imp.alias is not None:
                    self._add(imp.alias.span, target)
                return

    def decl_target(self, decl: n.Decl, module: LoadedModule) -> Target:
        """The target of a top-level declaration (one object per declaration)."""
        target = self._decl_targets.get(id(decl))
        if target is None:
            span = decl.name.span if decl.name is not None else decl.keyword
            name = decl.name.text if decl.name is not None else "platform"
            target = self._decl_targets[id(decl)] = Target(decl.kind, name, span, module, decl)
        return target

    def _decl(self, decl: n.Decl) -> None:
        target = self.decl_target(decl, self.module)
        self._add(target.span, target)
        ctx = _Ctx(decl)
        if decl.kind == "runner":
            self._params(decl, ctx)
        if decl.kind == "enum":
            for entry in decl.block.entries:
                if isinstance(entry, n.Bare):
                    value = Target("enum value", entry.name.text, entry.name.span, self.module, entry, decl)
                    self._add(entry.name.span, value)
            return
        self._block(decl.block, ctx)

    def _params(self, decl: n.Decl, ctx: _Ctx) -> None:
        for p in decl.params:
            target = Target("parameter", p.name.text, p.name.span, self.module, p, decl)
            ctx.params.setdefault(p.name.text, target)
            self._add(p.name.span, target)
            enum = self._type_target(p, self.module)
            self._add(p.type.span, enum)
            if p.default is not None:
                self._value(p.default, _Ctx(decl, expected=enum))

    def _type_target(self, p: n.Param, module: LoadedModule) -> Target | None:
        sym, _ = module.lookup((p.type.text,))
        if sym is None or sym.kind != "enum":
            return None
        return self.decl_target(sym.decl, sym.module)

    # ------------------------------------------------------------ blocks

    def _block(self, block: n.Block | None, ctx: _Ctx) -> None:
        for entry in block.entries if block is not None else ():
            self._entry(entry, ctx)

    def _entry(self, entry: n.Entry, ctx: _Ctx) -> None:
        if isinstance(entry, n.Field):
            self._value(entry.value, ctx)
        elif isinstance(entry, n.TaskDecl):
            self._task(entry, ctx)
        elif isinstance(entry, n.ForBlock):
            var = Target("loop variable", entry.var.text, entry.var.span, self.module, entry, ctx.decl)
            self._add(entry.var.span, var)
            self._value(entry.iterable, ctx)
            self._block(entry.block, _Ctx(ctx.decl, ctx.params, {**ctx.bindings, entry.var.text: var}, ctx.layer))
        elif isinstance(entry, n.WhenBlock):
            self._add(entry.env.span, self._global(entry.env.text, ("environment",)))
            self._block(entry.block, ctx)
        elif isinstance(entry, n.LayerBlock):
            self._block(entry.block, _Ctx(ctx.decl, ctx.params, ctx.bindings, entry.layer.text))
        elif isinstance(entry, n.SecretDecl):
            slot = Target("secret", entry.slot.text, entry.slot.span, self.module, entry, ctx.decl)
            self._add(entry.slot.span, slot)
            self._call(entry.call, ctx)

    def _task(self, task: n.TaskDecl, ctx: _Ctx) -> None:
        target = Target("task", task.name.text, task.name.span, self.module, task, ctx.decl, ctx.layer)
        self._add(task.name.span, target)
        self._template(task.name, ctx)
        self._call(task.call, ctx)
        for name in task.after:
            self._add(name.span, self._after(name, task, ctx))
            self._template(name, ctx)
        self._block(task.block, ctx)

    def _template(self, name: n.TemplateName, ctx: _Ctx) -> None:
        for part in name.parts:
            if isinstance(part, n.Interp):
                self._interp(part, ctx)

    # ------------------------------------------------------------ tasks of a pipeline

    def _tasks(self, pipeline: n.Decl) -> list[tuple[n.TaskDecl, str | None]]:
        out: list[tuple[n.TaskDecl, str | None]] = []

        def walk(block: n.Block | None, layer: str | None) -> None:
            for entry in block.entries if block is not None else ():
                if isinstance(entry, n.TaskDecl):
                    out.append((entry, layer))
                elif isinstance(entry, n.ForBlock):
                    walk(entry.block, layer)
                elif isinstance(entry, n.LayerBlock):
                    walk(entry.block, entry.layer.text)

        walk(pipeline.block, None)
        return out

    def _after(self, name: n.TemplateName, task: n.TaskDecl, ctx: _Ctx) -> Target | None:
        """The task an `after` name refers to, in the same pipeline."""
        tasks = self._tasks(ctx.decl)
        wanted = self._expanded_after(name, ctx.decl) if not name.is_plain else {name.text}
        by_span = {t.name.span: (t, layer) for t, layer in tasks}
        for expanded in sorted(wanted):
            for t, layer in tasks:
                if t.name.text == expanded:
                    return Target("task", t.name.text, t.name.span, self.module, t, ctx.decl, layer)
            span = self._expanded_task_span(ctx.decl, expanded)
            if span in by_span:
                t, layer = by_span[span]
                return Target("task", t.name.text, t.name.span, self.module, t, ctx.decl, layer)
        for t, layer in tasks:  # `after extract_${t}` inside the loop that declares `extract_${t}`
            if t.name.text == name.text:
                return Target("task", t.name.text, t.name.span, self.module, t, ctx.decl, layer)
        return None

    def _pipeline_def(self, decl: n.Decl):
        if self.defs is None or decl.name is None:
            return None
        pipe = self.defs.pipelines.get(decl.name.text)
        return pipe if pipe is not None and pipe.decl is decl else None

    def _expanded_after(self, name: n.TemplateName, decl: n.Decl) -> set[str]:
        pipe = self._pipeline_def(decl)
        if pipe is None:
            return set()
        return {a for t in pipe.tasks for a, span in t.after if span == name.span}

    def _expanded_task_span(self, decl: n.Decl, expanded: str) -> Span | None:
        pipe = self._pipeline_def(decl)
        if pipe is None:
            return None
        return next((t.span for t in pipe.tasks if t.name == expanded), None)

    # ------------------------------------------------------------ values

    def _value(self, value: n.Value, ctx: _Ctx) -> None:
        if isinstance(value, n.Str):
            for part in value.parts:
                if isinstance(part, n.Interp):
                    self._interp(part, ctx)
        elif isinstance(value, n.ListV):
            for item in value.items:
                self._value(item, ctx)
        elif isinstance(value, n.MapV):
            for entry in value.entries:
                self._value(entry.value, ctx)
        elif isinstance(value, n.Call):
            self._call(value, ctx)
        elif isinstance(value, n.Ref):
            self._resolve(value, ctx)

    def _call(self, call: n.Call, ctx: _Ctx) -> None:
        runner = None
        if call.callee.dotted not in BUILTIN_CALLS:
            runner = self._resolve(call.callee, ctx)
        params: dict[str, n.Param] = {}
        if runner is not None and runner.kind == "runner":
            params = {p.name.text: p for p in runner.node.params}
        for arg in call.args:
            expected = None
            param = params.get(arg.name.text) if arg.name is not None else None
            if param is not None:
                self._add(arg.name.span, Target("parameter", param.name.text, param.name.span, runner.module,
                                                param, runner.node))
                expected = self._type_target(param, runner.module)
            sub = _Ctx(ctx.decl, ctx.params, ctx.bindings, ctx.layer, expected)
            self._value(arg.value, sub)

    def _resolve(self, ref: n.Ref, ctx: _Ctx) -> Target | None:
        """Record and return what a dotted reference names."""
        first = ref.parts[0]
        target, used = self._name(tuple(p.text for p in ref.parts), ctx)
        if target is None:
            return None
        last = ref.parts[used - 1]
        self._add(Span(first.span.path, first.span.start, last.span.end), target)
        return target

    def _interp(self, interp: n.Interp, ctx: _Ctx) -> None:
        target, _ = self._name(interp.path, ctx, values=False)
        self._add(interp.span, target)

    def _name(self, parts: tuple[str, ...], ctx: _Ctx, values: bool = True) -> tuple[Target | None, int]:
        """What a dotted name means here, and how many of its parts that consumed."""
        head = parts[0]
        if head in ctx.bindings:
            return ctx.bindings[head], 1
        if head in ctx.params:
            return ctx.params[head], 1
        if head in ("tenant", "run"):
            return None, 1
        if head == "platform":
            return self._platform(), 1
        if not values:
            return None, 1
        sym, used = self.module.lookup(parts)
        if sym is not None:
            return self.decl_target(sym.decl, sym.module), used
        if len(parts) == 1:
            return self._global(head, GLOBAL_KINDS) or self._enum_value(head, ctx.expected), 1
        return None, 1

    def _global(self, name: str, kinds: tuple[str, ...]) -> Target | None:
        """A project-wide declaration (tenant, pipeline, environment) by name."""
        for mod in self.program.modules:
            for decl in mod.syntax.decls:
                if decl.kind in kinds and decl.name is not None and decl.name.text == name:
                    return self.decl_target(decl, mod)
        return None

    def _platform(self) -> Target | None:
        for mod in self.program.modules:
            for decl in mod.syntax.decls:
                if decl.kind == "platform":
                    return self.decl_target(decl, mod)
        return None

    def _enum_value(self, name: str, expected: Target | None) -> Target | None:
        """An enum value: of the enum the value is read as, else of any enum in scope."""
        enums = [expected] if expected is not None else []
        for mod in [self.module, *self._imported_modules()]:
            enums += [self.decl_target(d, mod) for d in mod.syntax.decls if d.kind == "enum"]
        for enum in enums:
            for entry in enum.node.block.entries:
                if isinstance(entry, n.Bare) and entry.name.text == name:
                    return Target("enum value", name, entry.name.span, enum.module, entry, enum.node)
        return None

    def _imported_modules(self) -> list[LoadedModule]:
        mods = {id(sym.module): sym.module for sym in self.module.imported.values()}
        mods.update({id(mod): mod for mod in self.module.aliases.values()})
        return list(mods.values())
