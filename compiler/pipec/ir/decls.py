"""Reading declarations into definitions (environment-independent).

Platform, environments, profiles and enums are read once; runners keep their
body for evaluation per call; pipelines get their ``for`` loops expanded into
``TaskDef``s. Instantiation per environment and tenant is in ``instantiate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pipec.dbt.reader import DbtDef, DbtReader, pipeline_tasks
from pipec.diagnostics import Label, Sink
from pipec.ir import specs
from pipec.ir.blocks import Read, fields_of, misplaced, read_fields
from pipec.ir.loader import LoadedModule, Program, Symbol
from pipec.ir.values import BUILTIN_ENUMS, INVALID, SCALAR_TYPES, Evaluator, Scope, Ty, Val, did_you_mean
from pipec.limits import MAX_TASKS
from pipec.source import Span
from pipec.syntax import nodes as n

IDENT = re.compile(r"[a-z][a-z0-9_]*")


@dataclass
class ParamDef:
    name: str
    ty: Ty
    default: n.Value | None
    has_default: bool
    span: Span
    default_ok: bool = True  # False when the default itself is an error (reported at the runner)


@dataclass
class RunnerDef:
    name: str
    decl: n.Decl
    module: LoadedModule
    params: dict[str, ParamDef]
    fields: dict[str, n.Field]


@dataclass
class TenantDef:
    name: str
    decl: n.Decl
    read: Read
    secrets: dict[str, tuple[str, str, Span]]  # slot -> (secret name, key, span)

    def scope_fields(self) -> dict[str, Val]:
        span = self.decl.name.span
        vals = {"name": Val("text", (self.name,), span), "pool": Val("text", (self.name,), span)}
        for key in ("schema", "namespace"):
            value = self.read.get(key)
            if isinstance(value, str):
                vals[key] = Val("text", (value,), self.read.spans[key])
            elif key in self.read.spans:  # set but invalid: reported where it is set
                vals[key] = Val("name", INVALID, self.read.spans[key])
        vals["enclave"] = Val("name", self.read.get("enclave", "standard"), span)
        return vals


@dataclass
class TaskDef:
    name: str
    span: Span
    layer: str
    call: n.Call
    after: list[tuple[str, Span]]
    block: n.Block | None
    bindings: dict[str, Val]
    doc: str | None
    module: LoadedModule | None = None  # where the call is resolved, if not the pipeline's (dbt tasks)


@dataclass
class PipelineDef:
    name: str
    decl: n.Decl
    module: LoadedModule
    read: Read
    tenants: list[tuple[str, Span]]
    schedule: tuple[str, Any, Span] | None  # (kind, value, span)
    tasks: list[TaskDef] = field(default_factory=list)
    # environment -> (its `when ENV` settings, its schedule or None), checked like the pipeline's own
    whens: dict[str, tuple[Read, tuple[str, Any, Span] | None]] = field(default_factory=dict)

    def settings(self, env: str | None) -> Read:
        """The pipeline's settings for ``env``: its own, with its `when ENV` block's over them."""
        if env not in self.whens:
            return self.read
        w = self.whens[env][0]
        return Read({**self.read.values, **w.values}, {**self.read.spans, **w.spans},
                    {**self.read.nodes, **w.nodes})

    def schedule_for(self, env: str | None) -> tuple[str, Any, Span] | None:
        """The schedule for ``env``: its `when ENV` block's, else the pipeline's."""
        own = self.whens.get(env, (None, None))[1] if env is not None else None
        return own or self.schedule


@dataclass
class Defs:
    platform: Read | None = None
    platform_decl: n.Decl | None = None
    envs: dict[str, tuple[Read, n.Decl]] = field(default_factory=dict)
    profiles: dict[Span, tuple[str, str]] = field(default_factory=dict)
    enums: dict[Span, tuple[str, ...]] = field(default_factory=dict)
    runners: dict[Span, RunnerDef] = field(default_factory=dict)
    tenants: dict[str, TenantDef] = field(default_factory=dict)
    pipelines: dict[str, PipelineDef] = field(default_factory=dict)
    dbt: dict[Span, DbtDef] = field(default_factory=dict)

    def platform_scope(self, env: str | None = None) -> dict[str, Val] | None:
        """``platform.*`` values; an environment's ``registry`` replaces the platform's in it."""
        if self.platform is None:
            return None
        span = self.platform_decl.keyword
        invalid = {k: Val("name", INVALID, self.platform.spans[k])  # reported where they are set
                   for k, v in self.platform.values.items() if v is INVALID and k in self.platform.spans}
        scope = {**{k: Val("text" if isinstance(v, str) else "int", (v,) if isinstance(v, str) else v,
                           self.platform.spans.get(k, span))
                    for k, v in specs.platform_values(self.platform).items() if isinstance(v, (str, int))}, **invalid}
        env_read = self.envs[env][0] if env in self.envs else None
        registry = env_read.get("registry") if env_read is not None else None
        if isinstance(registry, str):
            scope["registry"] = Val("text", (registry,), env_read.spans["registry"])
        elif env_read is not None and "registry" in env_read.spans:
            scope["registry"] = Val("name", INVALID, env_read.spans["registry"])  # reported where it is set
        return scope

    def queues(self, env: str) -> tuple[str, ...]:
        """The Airflow queues tasks may use in environment ``env``: the platform's and the environment's."""
        platform = self.platform.get("queues", ()) if self.platform else ()
        own = self.envs[env][0].get("queues", ()) if env in self.envs else ()
        return tuple(sorted({*platform, *own}))


class DeclReader:
    def __init__(self, program: Program, sink: Sink) -> None:
        self.program, self.sink = program, sink
        self.ev = Evaluator(sink)
        self.defs = Defs()
        self.task_count = 0  # tasks after `for` expansion, bounded by limits.MAX_TASKS

    def read(self) -> Defs:
        order = ("platform", "environment", "profile", "enum", "runner", "dbt", "tenant", "pipeline")
        for kind in order:
            for mod in self.program.modules:
                for decl in mod.syntax.decls:
                    if decl.kind == kind:
                        getattr(self, f"_{kind}")(decl, mod)
        return self.defs

    def _scope(self, mod: LoadedModule, **kw) -> Scope:
        return Scope(mod, platform=self.defs.platform_scope(), **kw)

    def _simple(self, decl: n.Decl, mod: LoadedModule, what: str, field_specs) -> Read:
        found, _ = fields_of(decl.block, self.sink, what, "fields")
        return read_fields(found, field_specs, self.ev, Scope(mod), what, decl.name.span if decl.name else decl.keyword)

    def _platform(self, decl: n.Decl, mod: LoadedModule) -> None:
        if self.defs.platform is not None:
            self.sink.emit("E112", "a second `platform` block", decl.keyword, label="second platform",
                           secondary=[Label(self.defs.platform_decl.keyword, "first platform")],
                           help="a project has one platform block; merge them")
            return
        read = self._simple(decl, mod, "`platform`", specs.PLATFORM)
        specs.check_platform(read, self.sink)
        specs.check_queues(read, self.sink, self.ev)
        self.defs.platform, self.defs.platform_decl = read, decl

    def _global_unique(self, table: dict, decl: n.Decl, what: str) -> bool:
        first = table.get(decl.name.text)
        if first is None:
            return True
        first_decl = first[1] if isinstance(first, tuple) else first.decl
        # two declarations in one file are already reported by the loader's scope building
        if first_decl is not decl and first_decl.name.span.path != decl.name.span.path:
            self.sink.emit("E104", f"{what} `{decl.name.text}` is declared twice", decl.name.span,
                           label="declared again here", secondary=[Label(first_decl.name.span, "first declared here")],
                           help=f"{what} names are project-wide; rename one")
        return False

    def _environment(self, decl: n.Decl, mod: LoadedModule) -> None:
        read = self._simple(decl, mod, f"environment `{decl.name.text}`", specs.ENVIRONMENT)
        specs.check_environment(read, self.sink)
        specs.check_queues(read, self.sink, self.ev)
        if self._global_unique(self.defs.envs, decl, "environment"):
            self.defs.envs[decl.name.text] = (read, decl)

    def _profile(self, decl: n.Decl, mod: LoadedModule) -> None:
        read = self._simple(decl, mod, f"profile `{decl.name.text}`", specs.PROFILE)
        self.defs.profiles[decl.span] = (read.get("cpu"), read.get("memory"))

    def _enum(self, decl: n.Decl, mod: LoadedModule) -> None:
        values: dict[str, n.Name] = {}
        for entry in decl.block.entries:
            if not isinstance(entry, n.Bare):
                misplaced(self.sink, entry, f"enum `{decl.name.text}`", "bare value names")
                continue
            if entry.name.text in values:
                self.sink.emit("E109", f"enum value `{entry.name.text}` is listed twice", entry.span,
                               secondary=[Label(values[entry.name.text].span, "first listed here")])
                continue
            values[entry.name.text] = entry.name
        self.defs.enums[decl.span] = tuple(values)

    def _runner(self, decl: n.Decl, mod: LoadedModule) -> None:
        params: dict[str, ParamDef] = {}
        for p in decl.params:
            if p.name.text in params:
                self.sink.emit("E104", f"parameter `{p.name.text}` is declared twice", p.name.span,
                               label="declared again here",
                               secondary=[Label(params[p.name.text].span, "first declared here")],
                               help="rename one of the parameters")
                continue
            ty = self._param_type(p, mod)
            default_ok = True
            if p.default is not None and ty is not None:
                default_ok = self.ev.coerce(self.ev.eval(p.default, Scope(mod, allow_run=True)), ty,
                                            f"the default of `{p.name.text}`") is not INVALID
            params[p.name.text] = ParamDef(p.name.text, ty or Ty("any"), p.default, p.default is not None,
                                           p.name.span, default_ok)
        where = f"runner `{decl.name.text}`"
        found, _ = fields_of(decl.block, self.sink, where, "fields")
        known = {s.name for s in specs.RUNNER}
        for name, fld in found.items():
            if name not in known:
                hint = did_you_mean(name, known) or "fields: " + ", ".join(sorted(known))
                self.sink.emit("E107", f"{where} has no field `{name}`", fld.key.span, label="unknown field", help=hint)
        if "image" not in found:
            self.sink.emit("E108", f"{where} is missing the required field `image`", decl.name.span,
                           label="needs `image`", help='add `image = "${platform.registry}/NAME:TAG"`')
        fields = {k: v for k, v in found.items() if k in known}
        self.defs.runners[decl.span] = RunnerDef(decl.name.text, decl, mod, params, fields)

    def _param_type(self, p: n.Param, mod: LoadedModule) -> Ty | None:
        name = p.type.text
        if name in SCALAR_TYPES:
            return Ty("text" if name == "string" else name, optional=p.optional)
        if name in BUILTIN_ENUMS:
            return Ty("enum", p.optional, BUILTIN_ENUMS[name], name)
        sym, _ = mod.lookup((name,))
        if sym is None or sym.kind != "enum":
            hint = did_you_mean(name, list(SCALAR_TYPES) + [s for s in mod.visible_names()])
            if sym is None:
                self.sink.emit("E105", f"undefined type `{name}`", p.type.span, label="not a type",
                               help=hint or "types: " + ", ".join(SCALAR_TYPES) + ", or an enum")
            else:
                self.sink.emit("E106", f"`{name}` is a {sym.kind}, not a type", p.type.span,
                               help="types: " + ", ".join(SCALAR_TYPES) + ", or an enum")
            return None
        values = self._enum_values(sym)
        return Ty("enum", p.optional, values, name)

    def _enum_values(self, sym: Symbol) -> tuple[str, ...]:
        return self.defs.enums.get(sym.decl.span, ())

    def _dbt(self, decl: n.Decl, mod: LoadedModule) -> None:
        params = {span: tuple(r.params) for span, r in self.defs.runners.items()}
        self.defs.dbt[decl.span] = DbtReader(self.sink, self.ev, params).read(decl, mod)

    def _dbt_tasks(self, pipe: PipelineDef, fld: n.Field) -> None:
        """``dbt = shop`` or ``dbt = [shop, ...]``: the tasks of each named dbt block."""
        items = fld.value.items if isinstance(fld.value, n.ListV) else (fld.value,)
        for item in items:
            sym = self.ev.coerce(self.ev.eval(item, Scope(pipe.module)), Ty("ref", ref_kind="dbt"), "`dbt`")
            if sym is INVALID:
                continue
            for spec in pipeline_tasks(self.defs.dbt[sym.decl.span], item.span):
                pipe.tasks.append(TaskDef(spec.name, spec.span, spec.layer, spec.call, spec.after, None, {},
                                          spec.doc, spec.module))

    def _tenant(self, decl: n.Decl, mod: LoadedModule) -> None:
        where = f"tenant `{decl.name.text}`"
        found, others = fields_of(decl.block, self.sink, where, "fields and `secret` slots", (n.SecretDecl,))
        read = read_fields(found, specs.TENANT, self.ev, Scope(mod), where, decl.name.span)
        specs.check_tenant(read, self.sink, self.ev)
        secrets: dict[str, tuple[str, str, Span]] = {}
        for sec in others:
            self._secret(sec, mod, secrets)
        tenant = TenantDef(decl.name.text, decl, read, secrets)
        if self._global_unique(self.defs.tenants, decl, "tenant"):
            self.defs.tenants[decl.name.text] = tenant

    def _secret(self, sec: n.SecretDecl, mod: LoadedModule, secrets: dict) -> None:
        if sec.slot.text in secrets:
            self.sink.emit("E109", f"secret slot `{sec.slot.text}` is declared twice", sec.slot.span,
                           secondary=[Label(secrets[sec.slot.text][2], "first declared here")])
            return
        got = specs.read_k8s_secret(sec.call, self.ev, Scope(mod))
        if got is not None:
            secrets[sec.slot.text] = (got[0], got[1], sec.slot.span)

    def _pipeline(self, decl: n.Decl, mod: LoadedModule) -> None:
        where = f"pipeline `{decl.name.text}`"
        found, blocks = fields_of(decl.block, self.sink, where,
                                  "settings, `when` blocks and `bronze`/`silver`/`gold` blocks",
                                  (n.LayerBlock, n.WhenBlock))
        layers = [b for b in blocks if isinstance(b, n.LayerBlock)]
        schedule_field = found.pop("schedule", None)
        tenants_field = found.pop("tenants", None)
        dbt_field = found.pop("dbt", None)
        read = read_fields(found, specs.PIPELINE, self.ev, self._scope(mod), where,
                           decl.name.span)
        specs.check_pipeline(read, self.sink)
        for name, fld in (("schedule", schedule_field), ("tenants", tenants_field)):
            if fld is None:
                self.sink.emit("E108", f"{where} is missing the required field `{name}`", decl.name.span,
                               label=f"needs `{name}`", help=specs.REQUIRED_HELP[name])
            else:
                read.spans[name] = fld.value.span
                read.nodes[name] = fld
        pipe = PipelineDef(decl.name.text, decl, mod, read,
                           specs.read_tenant_list(tenants_field, self.ev, Scope(mod)) if tenants_field else [],
                           specs.read_schedule(schedule_field, self.ev, Scope(mod)) if schedule_field else None)
        self._layers(pipe, layers)
        if dbt_field is not None:
            self._dbt_tasks(pipe, dbt_field)
        for when in (b for b in blocks if isinstance(b, n.WhenBlock)):
            self._pipeline_when(pipe, when, mod)
        if self._global_unique(self.defs.pipelines, decl, "pipeline"):
            self.defs.pipelines[decl.name.text] = pipe

    def _pipeline_when(self, pipe: PipelineDef, when: n.WhenBlock, mod: LoadedModule) -> None:
        env = when.env.text
        where = f"`when {env}`"
        if env not in self.defs.envs:
            known = ", ".join(sorted(self.defs.envs))
            self.sink.emit("E105", f"undefined environment `{env}`", when.env.span, label="not declared",
                           help=did_you_mean(env, self.defs.envs) or
                           (f"environments: {known}" if known else f"declare `environment {env} {{ ... }}`"))
        if env in pipe.whens:
            self.sink.emit("E109", f"`when {env}` appears twice", when.env.span, label="again here",
                           help=f"put all settings for `{env}` in one `when {env}` block")
            return
        found, _ = fields_of(when.block, self.sink, where, "pipeline settings")
        schedule_field = found.pop("schedule", None)
        if "tenants" in found:
            self.sink.emit("E107", f"{where} cannot set `tenants`", found.pop("tenants").key.span,
                           label="not per environment", help="a pipeline has the same tenants in every environment")
        read = read_fields(found, specs.PIPELINE, self.ev, self._scope(mod), where, when.env.span)
        specs.check_pipeline(read, self.sink)
        schedule = specs.read_schedule(schedule_field, self.ev, Scope(mod)) if schedule_field else None
        if schedule is not None and schedule[0] == "after":
            self.sink.emit("E232", f"{where} cannot schedule the pipeline `after(...)`", schedule[2],
                           label="only in the pipeline itself",
                           help="set `schedule = after(...)` on the pipeline; a `when` block may set a cron, "
                                "a preset or `manual`")
            schedule = None
        if schedule is not None:
            read.spans["schedule"] = schedule_field.value.span
        pipe.whens[env] = (read, schedule)

    def _layers(self, pipe: PipelineDef, layers: list[n.LayerBlock]) -> None:
        seen: dict[str, Span] = {}
        for layer in layers:
            if layer.layer.text in seen:
                self.sink.emit("E109", f"`{layer.layer.text}` block appears twice", layer.layer.span,
                               secondary=[Label(seen[layer.layer.text], "first here")],
                               help="put all tasks of a layer in one block")
                continue
            seen[layer.layer.text] = layer.layer.span
            self._expand(pipe, layer.layer.text, layer.block, {})

    def _expand(self, pipe: PipelineDef, layer: str, block: n.Block, bindings: dict[str, Val]) -> None:
        scope = self._scope(pipe.module, bindings=bindings)
        for entry in block.entries:
            if isinstance(entry, n.TaskDecl):
                self._task(pipe, layer, entry, bindings, scope)
            elif isinstance(entry, n.ForBlock):
                self._for(pipe, layer, entry, bindings, scope)
            else:
                misplaced(self.sink, entry, f"a `{layer}` block", "tasks and `for` blocks")

    def _for(self, pipe, layer, loop: n.ForBlock, bindings, scope) -> None:
        items = self.ev.coerce(self.ev.eval(loop.iterable, scope), Ty("list"), "`for`")
        if items is INVALID:
            return
        for item in items:
            if self.task_count > MAX_TASKS:
                return
            if item.kind not in ("text", "int", "name"):
                self.sink.emit("E201", "`for` iterates over strings and integers", item.span,
                               help='write a list of strings: ["a", "b"]')
                continue
            self._expand(pipe, layer, loop.block, {**bindings, loop.var.text: item})

    def _task(self, pipe, layer, task: n.TaskDecl, bindings, scope) -> None:
        self.task_count += 1
        if self.task_count > MAX_TASKS:
            if self.task_count == MAX_TASKS + 1:
                self.sink.emit("E711", f"the project has more than {MAX_TASKS} tasks", task.name.span,
                               label=f"task number {MAX_TASKS + 1}" + (" (after `for` expansion)" if bindings else ""),
                               help="split the work into fewer, larger tasks, or the project into several projects")
            return
        name = self.expand_name(task.name, scope)
        if name is None:
            return
        after = [(a, tn.span) for tn in task.after if (a := self.expand_name(tn, scope)) is not None]
        pipe.tasks.append(TaskDef(name, task.name.span, layer, task.call, after, task.block, dict(bindings),
                                  task.doc))

    def expand_name(self, name: n.TemplateName, scope: Scope) -> str | None:
        if name.is_plain:
            return name.text
        parts = self.ev.text_parts(name.parts, scope)
        runs = [p for p in parts if not isinstance(p, str)]
        for run in runs:
            self.sink.emit("E501", f"`run.{run.var}` cannot be part of a task name", run.span,
                           label="only known when the task runs", help="task names are fixed when compiling")
        text = "".join(p for p in parts if isinstance(p, str))
        if runs or not text:
            return None
        if not IDENT.fullmatch(text):
            self.sink.emit("E211", f"`{text}` is not a valid name", name.span, label=f"expands to `{text}`",
                           help="names match [a-z][a-z0-9_]*; use loop values made of lowercase letters, digits and _")
            return None
        return text
