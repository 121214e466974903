"""Instantiating pipelines per environment and tenant: definitions -> IR.

Precedence, lowest to highest: built-in default, pipeline, runner, task, the
task's ``when`` block for the environment being compiled (spec 3.1).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable

from pipec.diagnostics import Label, Sink
from pipec.ir import model as ir
from pipec.ir import specs
from pipec.ir.blocks import FieldSpec, fields_of, misplaced
from pipec.ir.decls import Defs, PipelineDef, RunnerDef, TaskDef, TenantDef
from pipec.ir.values import INVALID, Evaluator, RunPart, Scope, Ty, Val, closest, did_you_mean, names_read
from pipec.source import Span
from pipec.syntax import nodes as n

# made once: a Ty is a frozen dataclass, slow to build for every element of every task
_LIST, _MAP, _SCALAR, _RUNNER = Ty("list"), Ty("map"), Ty("scalar"), Ty("ref", ref_kind="runner")
_OVERRIDE_TYPES = {"retries": specs.INT, "retry_delay": specs.DUR, "timeout": specs.DUR, "queue": specs.OPT_S,
                   "profile": Ty("ref", ref_kind="profile"), "env": _MAP}
# one address, printable ASCII without spaces: CR/LF would inject mail headers
EMAIL = re.compile(r"[!-?A-~]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+")
MAX_TAG = 100  # Airflow's TAG_MAX_LEN: a longer tag fails to serialize the DAG
_DATED = ("ds", "logical_date", "window_start", "window_end", "data_interval_start", "data_interval_end")
_WINDOW = ("window_start", "window_end", "data_interval_start", "data_interval_end")


@dataclass
class Ctx:
    """What one task instantiation needs to know."""

    pipe: PipelineDef
    tenant: TenantDef
    env: str | None
    dated: bool  # the pipeline's runs have a logical date
    read: Any  # the pipeline's settings for env (its `when ENV` block merged in)
    schedule: Any  # (kind, value, span) for env, or None
    tenant_scope: dict[str, Val]  # ``tenant.*``, the same for every task of the DAG
    platform_scope: dict[str, Val] | None  # ``platform.*`` in env
    run_as_user: int  # the platform's, for the tasks whose runner sets no ``user``
    fixed: dict[Span, Fixed]  # runner declaration -> its values that are the same for every task of the DAG


_UNKNOWN, _VARIES = object(), object()


class Fixed:
    """The values of one runner in one DAG that read no parameter of the runner, evaluated once.

    Such a value (a field, an item of a list field, a parameter's default) is the same for
    every task of the DAG that calls the runner: one tenant, one environment, one module. It
    is kept for one DAG only, so pipec.incremental still records every name each DAG marks
    used; a value whose evaluation reported anything is evaluated again for every task, so
    each diagnostic is as before. Settings are replaced by overrides, never changed in place,
    so tasks can share them.
    """

    def __init__(self, sink: Sink, runner: RunnerDef) -> None:
        self.sink, self.runner = sink, runner
        # ("field", name), ("item", field, index) or ("default", parameter) -> value, or _VARIES
        self.values: dict[tuple, Any] = {}

    def get(self, key: tuple, node: n.Value, evaluate: Callable[[], Any]) -> Any:
        """The value of ``node`` (``key`` in the runner): ``evaluate()`` unless already known."""
        known = self.values.get(key, _UNKNOWN)
        if known is _VARIES:
            return evaluate()
        if known is not _UNKNOWN:
            return known
        offered = self.sink.offered
        value = evaluate()
        if names_read(node) & self.runner.params.keys():
            self.values[key] = _VARIES
        elif self.sink.offered == offered:
            self.values[key] = value
        return value


@dataclass(frozen=True)
class Placement:
    """One task's pod in one tenant's namespace: checked against the quota by ``pipec.check``."""

    tenant: TenantDef
    task: str
    profile: str
    cpu: str
    memory: str
    span: Span


class Instantiator:
    def __init__(self, defs: Defs, sink: Sink, memo=None) -> None:
        self.defs, self.sink = defs, sink
        self.memo = memo  # reuses DAGs instantiated by an earlier run (pipec.incremental.dags.DagMemo)
        self.ev = Evaluator(sink)
        self.used: set[Span] = set()  # declaration spans of the runners some task calls
        self.placements: list[Placement] = []  # every pod instantiated, for the quota check
        self.shared: dict[tuple, Any] = {}  # what a model is built from -> the model (``_shared``)

    def take_placements(self) -> list[Placement]:
        """The placements recorded since the last call (each is checked once)."""
        taken, self.placements = self.placements, []
        return taken

    # ------------------------------------------------------------ dags

    def dags(self, env: str | None) -> list[ir.Dag]:
        out = []
        for name in sorted(self.defs.pipelines):
            pipe = self.defs.pipelines[name]
            for tenant_name, tenant_span in sorted(set(pipe.tenants)):
                tenant = self.defs.tenants.get(tenant_name)
                if tenant is not None:
                    dag = self.dag(pipe, tenant, env, tenant_span)
                    if dag is not None:
                        out.append(dag)
        return out

    def dag(self, pipe: PipelineDef, tenant: TenantDef, env: str | None, tenant_span: Span) -> ir.Dag | None:
        if self.memo is not None:
            return self.memo.dag(self, pipe, tenant, env, tenant_span)
        return self.build_dag(pipe, tenant, env, tenant_span)

    def build_dag(self, pipe: PipelineDef, tenant: TenantDef, env: str | None, tenant_span: Span) -> ir.Dag | None:
        schedule = self._schedule(pipe.schedule_for(env), tenant)
        read = pipe.settings(env)
        ctx = Ctx(pipe, tenant, env, schedule is not None and schedule.kind in ("cron", "preset"), read,
                  pipe.schedule_for(env), tenant.scope_fields(), self.defs.platform_scope(env),
                  (specs.platform_values(self.defs.platform) if self.defs.platform else {}).get("run_as_user", 10001),
                  {})
        tasks = [t for t in (self.task(td, ctx, tenant_span) for td in pipe.tasks) if t is not None]
        if schedule is None or len(tasks) != len(pipe.tasks):
            return None
        emails = self._emails(read.get("on_failure"), read.nodes.get("on_failure"))
        return ir.Dag(
            dag_id=f"{tenant.name}__{pipe.name}", tenant=tenant.name, pipeline=pipe.name, schedule=schedule,
            owner=read.get("owner", "pipec"), tags=tuple(self._tags(read.get("tags", []))),
            retries=read.get("retries", 0), retry_delay_seconds=read.get("retry_delay", 300),
            timeout_seconds=read.get("timeout"), on_failure_emails=emails,
            max_active_runs=read.get("max_active_runs", 1), catchup=read.get("catchup", False),
            paused=read.get("paused"),
            publishes=self.publishes(pipe, tenant), tasks=tuple(order_tasks(tasks)), doc=pipe.decl.doc)

    def _schedule(self, schedule, tenant: TenantDef) -> ir.Schedule | None:
        if schedule is None:
            return None
        kind, value, _ = schedule
        if kind == "after":
            return ir.Schedule(kind="after", upstream_pipeline=value[0], asset_uri=f"pipec://{tenant.name}/{value[0]}")
        return ir.Schedule(kind=kind, value=value)

    def publishes(self, pipe: PipelineDef, tenant: TenantDef) -> str | None:
        """The asset the DAG of ``pipe`` for ``tenant`` publishes: another pipeline waits for it."""
        for other in self.defs.pipelines.values():
            if other.schedule and other.schedule[0] == "after" and other.schedule[1][0] == pipe.name \
                    and any(t == tenant.name for t, _ in other.tenants):
                return f"pipec://{tenant.name}/{pipe.name}"
        return None

    def _tags(self, items) -> list[str]:
        tags = []
        for item in items:
            text = self.ev.coerce(item, specs.S, "`tags`")
            if isinstance(text, str) and len(text) > MAX_TAG:
                self.sink.emit("E216", f"a tag of {len(text)} characters is longer than Airflow allows", item.span,
                               label=f"more than {MAX_TAG} characters", help=f"shorten the tag to {MAX_TAG} characters")
                continue
            if text is not INVALID:
                tags.append(text)
        return sorted(set(tags))

    def _emails(self, value: Any, fld: n.Field | None) -> tuple[str, ...]:
        if value is None or fld is None:
            return ()
        node = fld.value
        if not isinstance(node, n.Call) or node.callee.dotted != "email" or not node.args:
            self.sink.emit("E201", "`on_failure` expects `email(\"address\", ...)`", node.span,
                           help='write `on_failure = email("oncall@example.com")`')
            return ()
        out = []
        for arg in node.args:
            text = self._email_arg(arg)
            if text is not None:
                out.append(text)
        return tuple(out)

    def _email_arg(self, arg: n.Arg) -> str | None:
        if arg.name is not None or not isinstance(arg.value, n.Str) or \
                any(isinstance(p, n.Interp) for p in arg.value.parts):
            self.sink.emit("E201", "`email` takes address strings", arg.span, help='write email("oncall@example.com")')
            return None
        text = "".join(p.text for p in arg.value.parts)
        if not EMAIL.fullmatch(text):
            self.sink.emit("E208", f"`{text}` is not an email address", arg.value.span,
                           help="write a full address such as oncall@example.com")
            return None
        return text

    # ------------------------------------------------------------ tasks

    def task(self, td: TaskDef, ctx: Ctx, tenant_span: Span) -> ir.Task | None:
        scope = Scope(td.module or ctx.pipe.module, bindings=td.bindings, tenant=ctx.tenant_scope,
                      platform=ctx.platform_scope, allow_run=True)
        runner = self._runner(td.call, scope)
        if runner is None:
            return None
        fixed = ctx.fixed.get(runner.decl.span)
        if fixed is None:
            fixed = ctx.fixed[runner.decl.span] = Fixed(self.sink, runner)
        bindings = self._bind(runner, td.call, scope, fixed)
        if bindings is None:
            return None
        rscope = Scope(runner.module, bindings=bindings, tenant=scope.tenant, platform=scope.platform,
                       allow_run=True)
        settings = self._runner_settings(runner, rscope, fixed)
        self._overrides(td, ctx, scope, settings)
        return self._build_task(td, ctx, runner, settings, tenant_span)

    def _runner(self, call: n.Call, scope: Scope) -> RunnerDef | None:
        val = self.ev.eval(call.callee, scope)
        if val.kind == "name" and val.data is not INVALID:
            runners = [s for s in scope.module.visible_names()]
            self.sink.emit("E105", f"undefined runner `{call.callee.dotted}`", call.callee.span, label="not declared",
                           help=did_you_mean(call.callee.dotted, runners) or
                           'import the runners, e.g. `import "std/runners"`')
            return None
        sym = self.ev.coerce(val, _RUNNER, "a task")
        if sym is INVALID:
            return None
        self.used.add(sym.decl.span)
        return self.defs.runners.get(sym.decl.span)

    def check_unused_runners(self) -> None:
        """Check the body of every project runner no task calls, with placeholder arguments.

        A runner's body is otherwise evaluated only per task, so an unused runner's
        typos went unreported (and the names it uses counted as unused imports).
        """
        for span in sorted(self.defs.runners):
            runner = self.defs.runners[span]
            if span in self.used or runner.module.is_std:
                continue
            at = runner.decl.name.span
            bindings = {name: self._default(runner, p) if p.has_default and p.default_ok else _placeholder(p.ty, at)
                        for name, p in runner.params.items()}
            tenant = {k: Val("text", ("tenant",), at) for k in ("name", "pool", "schema", "namespace")}
            # a file of runners may be checked on its own, without the project's platform
            platform = self.defs.platform_scope() or {f.name: _placeholder(f.ty, at) for f in specs.PLATFORM}
            scope = Scope(runner.module, bindings=bindings, tenant={**tenant, "enclave": Val("name", "standard", at)},
                          platform=platform, allow_run=True)
            self._runner_settings(runner, scope)

    def _default(self, runner: RunnerDef, param) -> Val:
        default = self.ev.eval(param.default, Scope(runner.module, allow_run=True))
        if param.ty.kind == "enum" and default.kind in ("name", "symbol"):
            default = Val("text", (default.data if default.kind == "name" else default.data.name,), default.span)
        return default

    def _bind(self, runner: RunnerDef, call: n.Call, scope: Scope, fixed: Fixed) -> dict[str, Val] | None:
        bound: dict[str, Val] = {}
        arg_spans: dict[str, Span] = {}
        ok = True
        named = {a.name.text for a in call.args if a.name is not None}
        free = [p for p in runner.params if p not in named]  # what a positional argument may have meant
        claimed: set[str] = set()  # parameters a rejected argument was meant for: not reported missing
        for arg in call.args:
            if arg.name is None:
                guess = free.pop(0) if free else None
                claimed.add(guess)
                self.sink.emit("E207", "runner arguments are passed by name", arg.span, label="not named",
                               help=f"write `{guess} = ...`" if guess else f"runner `{runner.name}` takes no more arguments")
                ok = False
                continue
            name = arg.name.text
            param = runner.params.get(name)
            if param is None:
                meant = closest(name, [p for p in runner.params if p not in named])
                claimed.add(meant)
                hint = did_you_mean(name, runner.params) or (
                    "parameters: " + ", ".join(runner.params) if runner.params else "this runner takes no arguments")
                self.sink.emit("E207", f"runner `{runner.name}` has no parameter `{name}`", arg.name.span,
                               label="unknown argument", secondary=[Label(runner.decl.name.span, "runner declared here")],
                               help=hint)
                ok = False
                continue
            if name in bound:
                self.sink.emit("E209", f"argument `{name}` is passed twice", arg.name.span, label="passed again here",
                               secondary=[Label(arg_spans[name], "first passed here")], help="remove one of them")
                ok = False
                continue
            val = self.ev.eval(arg.value, scope)
            checked = self.ev.coerce(val, param.ty, f"parameter `{name}` of `{runner.name}`")
            ok = ok and checked is not INVALID
            if param.ty.kind == "enum" and checked not in (INVALID, None):
                val = Val("text", (checked,), val.span)
            bound[name], arg_spans[name] = val, arg.span
        for name, param in runner.params.items():
            if name in bound:
                continue
            if not param.has_default and name in claimed:
                continue
            if not param.has_default:
                self.sink.emit("E206", f"missing argument `{name}` for runner `{runner.name}`", call.callee.span,
                               label=f"needs `{name}`", secondary=[Label(param.span, "parameter declared here")],
                               help=f"pass `{name} = ...` ({param.ty.show()})")
                ok = False
                continue
            if not param.default_ok:  # reported where the runner declares it
                ok = False
                continue
            bound[name] = fixed.get(("default", name), param.default, lambda: self._default(runner, param))
        return bound if ok else None

    def _runner_settings(self, runner: RunnerDef, scope: Scope, fixed: Fixed | None = None) -> dict[str, Any]:
        """The runner's fields evaluated in ``scope``; ``fixed`` reuses the values that read no argument."""
        out: dict[str, Any] = {"_spans": {}}
        for spec in specs.RUNNER:
            fld = runner.fields.get(spec.name)
            if fld is None:
                continue
            out["_spans"][spec.name] = fld.value.span
            if fixed is None:
                out[spec.name] = self._runner_field(spec, fld.value, scope)
            else:
                out[spec.name] = fixed.get(("field", spec.name), fld.value,
                                           lambda: self._runner_field(spec, fld.value, scope, fixed))
        if "profile" not in runner.fields:
            out["profile"] = self._default_profile(runner)
        self._check_user(out.get("user"), out["_spans"].get("user"))
        return out

    def _runner_field(self, spec: FieldSpec, node: n.Value, scope: Scope, fixed: Fixed | None = None) -> Any:
        if spec.name in ("entrypoint", "args"):
            return self._text_list(node, scope, spec.name, fixed)
        if spec.name == "env":
            return self._env_map(node, scope)
        if spec.name == "secrets":
            return self._secrets(node, scope)
        return self.ev.coerce(self.ev.eval(node, scope), spec.ty, f"`{spec.name}`")

    def _check_user(self, user: Any, span: Span | None) -> None:
        if isinstance(user, int) and user <= 0:
            self.sink.emit("E208", "`user` must be a non-root user id", span,
                           help="pods run as a non-root numeric user; use e.g. 10001")
        elif isinstance(user, int) and user > specs.MAX_USER_ID:
            self.sink.emit("E217", f"user id {user} is larger than Kubernetes allows", span, help=specs.USER_HELP)

    def _default_profile(self, runner: RunnerDef):
        sym, _ = runner.module.lookup(("small",))
        if sym is None or sym.kind != "profile":
            self.sink.emit("E108", f"runner `{runner.name}` sets no `profile` and no profile `small` is in scope",
                           runner.decl.name.span, label="needs a profile",
                           help='set `profile = ...` or `import "std/profiles"`')
            return INVALID
        return sym

    def _text_list(self, node: n.Value, scope: Scope, what: str, fixed: Fixed | None = None) -> Any:
        """(text parts, span) of each element; the items of a list written out that read no
        argument come from ``fixed`` (e.g. all but `command` and `select` of dbt_node's args)."""
        if isinstance(node, n.ListV) and fixed is not None:
            out = [el for i, item in enumerate(node.items)
                   for el in fixed.get(("item", what, i), item,
                                       lambda: self._text_items(self.ev.eval(item, scope), what))]
        else:
            items = self.ev.coerce(self.ev.eval(node, scope), _LIST, f"`{what}`")
            if items is INVALID:
                return INVALID
            out = [el for item in items for el in self._text_items(item, what)]
        if what == "entrypoint":
            for parts, _ in out:
                self._no_run(parts, "`entrypoint`")
        return out

    def _text_items(self, item: Val, what: str) -> list:
        """The elements of one item of a text list (a list inside it is flattened, `none` dropped)."""
        out = []
        for el in item.data if item.kind == "list" else (item,):
            if el.kind == "none":
                continue
            parts = self.ev.coerce(el, _SCALAR, f"`{what}`")
            if parts is not INVALID:
                out.append((parts, el.span))
        return out

    def _env_map(self, node: n.Value, scope: Scope) -> Any:
        entries = self.ev.coerce(self.ev.eval(node, scope), _MAP, "`env`")
        if entries is INVALID:
            return {}
        out = {}
        for key, val in entries:
            if val.kind == "none":
                continue
            parts = self.ev.coerce(val, _SCALAR, f"`env.{key.text}`")
            if parts is not INVALID:
                out[key.text] = (parts, val.span, key.span)
        return out

    def _secrets(self, node: n.Value, scope: Scope) -> list[tuple[str, str, Span]]:
        """Secret uses as (env var, slot, span of the slot name)."""
        if isinstance(node, n.ListV):
            pairs = [(None, item) for item in node.items]
        elif isinstance(node, n.MapV):
            pairs = [(e.key.text, e.value) for e in node.entries]
        else:
            self.sink.emit("E201", "`secrets` expects a list of slot names or a map of ENV = slot", node.span,
                           help="write `secrets = [warehouse]` or `secrets = { DB_URL = warehouse }`")
            return []
        out = []
        for env_var, item in pairs:
            slot = self._slot(item, scope)
            if slot is not None:
                out.append((env_var or slot.upper(), slot, item.span))
        return out

    def _slot(self, item: n.Value, scope: Scope) -> str | None:
        if isinstance(item, n.Ref) and len(item.parts) == 1:
            return item.parts[0].text
        if isinstance(item, n.Ref) and len(item.parts) == 2:
            owner, _ = scope.module.lookup((item.parts[0].text,))
            if owner is not None and owner.kind == "tenant":
                slot = item.parts[1].text
                self.sink.emit("E401", f"`{item.dotted}` names the secret of tenant `{owner.name}`", item.span,
                               label="cross-tenant reference",
                               help=f"write the slot name bare, `{slot}`: each tenant's DAG reads its own `{slot}`")
                return None
        self.sink.emit("E201", "a secret is named by its slot", item.span, label="not a slot name",
                       help="write the slot name bare, e.g. `warehouse`; each tenant declares the slot")
        return None

    def _no_run(self, parts, what: str) -> None:
        for part in parts:
            if isinstance(part, RunPart):
                self.sink.emit("E501", f"`run.{part.var}` cannot be used in {what}", part.span,
                               label="only known when the task runs",
                               help="runtime values may only reach a task's `args` and `env`")

    def _overrides(self, td: TaskDef, ctx: Ctx, scope: Scope, settings: dict) -> None:
        if td.block is None:
            return
        found, whens = fields_of(td.block, self.sink, f"task `{td.name}`", "overrides and `when` blocks",
                                 (n.WhenBlock,))
        self._apply(found, scope, settings, f"task `{td.name}`")
        for when in whens:
            if when.env.text not in self.defs.envs:
                known = ", ".join(sorted(self.defs.envs))
                self.sink.emit("E105", f"undefined environment `{when.env.text}`", when.env.span, label="not declared",
                               help=did_you_mean(when.env.text, self.defs.envs) or
                               (f"environments: {known}" if known else f"declare `environment {when.env.text} {{ ... }}`"))
            wfound, _ = fields_of(when.block, self.sink, f"`when {when.env.text}`", "overrides")
            if when.env.text == ctx.env:
                self._apply(wfound, scope, settings, f"`when {when.env.text}`")
            else:
                self._apply(wfound, scope, {"_spans": {}}, f"`when {when.env.text}`")

    def _apply(self, found: dict[str, n.Field], scope: Scope, settings: dict, where: str) -> None:
        for name, fld in found.items():
            ty = _OVERRIDE_TYPES.get(name)
            if ty is None:
                hint = did_you_mean(name, _OVERRIDE_TYPES) or "overrides: " + ", ".join(_OVERRIDE_TYPES)
                self.sink.emit("E107", f"{where} cannot set `{name}`", fld.key.span, label="not an override",
                               help=hint)
                continue
            settings["_spans"][name] = fld.value.span
            if name == "env":
                merged = dict(settings.get("env", {}))
                merged.update(self._env_map(fld.value, scope))
                settings["env"] = merged
            else:
                settings[name] = self.ev.coerce(self.ev.eval(fld.value, scope), ty, f"`{name}`")

    # ------------------------------------------------------------ assembly

    def _build_task(self, td: TaskDef, ctx: Ctx, runner: RunnerDef, s: dict, tenant_span: Span) -> ir.Task | None:
        read = ctx.read
        values = {
            "image": s.get("image", INVALID), "profile": s.get("profile", INVALID),
            "queue": s.get("queue"),
            "retries": _first(s.get("retries"), read.get("retries"), 0),
            "retry_delay": _first(s.get("retry_delay"), read.get("retry_delay"), 300),
            "timeout": _first(s.get("timeout"), read.get("timeout")),
            "args": s.get("args", []), "entrypoint": s.get("entrypoint", []),
        }
        self._dated(ctx, [] if values["args"] is INVALID else values["args"], s.get("env", {}))
        if any(v is INVALID for v in values.values()):
            return None
        self._check_retries(values, s)
        self._check_queue(values["queue"], s["_spans"].get("queue"), ctx.env)
        profile = self.defs.profiles.get(values["profile"].decl.span)
        if profile is None or INVALID in profile or None in profile:
            return None
        self.placements.append(Placement(ctx.tenant, td.name, values["profile"].name, profile[0], profile[1], td.span))
        secrets = self._secret_envs(ctx, s.get("secrets", []), tenant_span, runner)
        env = {k: self._text(parts) for k, (parts, _, _) in sorted(s.get("env", {}).items())}
        self._env_clash(env, secrets, s, td)
        return ir.Task(
            name=td.name, layer=td.layer, runner=runner.name, image=values["image"],
            entrypoint=tuple(self._text(p) for p, _ in values["entrypoint"]),
            args=tuple(self._text(p) for p, _ in values["args"]), env=tuple(env.items()), secrets=secrets,
            resources=self._shared(("resources", values["profile"].name, *profile), lambda: ir.Resources(
                profile=values["profile"].name, cpu=profile[0], memory=profile[1])),
            queue=values["queue"], retries=values["retries"], retry_delay_seconds=values["retry_delay"],
            timeout_seconds=values["timeout"], run_as_user=s.get("user") or ctx.run_as_user,
            upstream=tuple(sorted({name for name, _ in td.after})), doc=td.doc)

    def _text(self, parts) -> ir.Text:
        """One Text per distinct parts (a frozen model is validated once, then shared)."""
        return self._shared(("text", parts), lambda: _text(parts))

    def _shared(self, key: tuple, build: Callable[[], Any]) -> Any:
        """``build()``, once per ``key`` (what it builds from): tasks share texts, resources and secrets."""
        model = self.shared.get(key)
        if model is None:
            model = self.shared[key] = build()
        return model

    def _check_retries(self, values: dict, s: dict) -> None:
        # a runner's or task's value; the pipeline's own is checked where it is read (specs.check_pipeline)
        retries, timeout = s["_spans"].get("retries"), s["_spans"].get("timeout")
        if retries is not None and values["retries"] < 0:
            self.sink.emit("E208", "`retries` cannot be negative", retries, label="negative", help="use 0 or more")
        if timeout is not None and values["timeout"] is not None and values["timeout"] <= 0:
            self.sink.emit("E208", "`timeout` must be longer than zero", timeout, label="zero", help="use e.g. 30m")

    def _check_queue(self, queue: str | None, span: Span | None, env: str | None) -> None:
        if queue is None or env is None or queue in self.defs.queues(env):
            return
        declared = self.defs.queues(env)
        self.sink.emit("E230", f"queue `{queue}` is not declared in environment `{env}`", span,
                       label="undeclared queue",
                       help=(f"queues of `{env}`: " + ", ".join(declared) + "; " if declared else "") +
                       f'add `queues = ["{queue}"]` to environment `{env}` (or the platform), '
                       f"or set the queue only `when` an environment that has it")

    def _dated(self, ctx: Ctx, args, env: dict) -> None:
        if ctx.schedule is None or ctx.dated and ctx.schedule[1] != "@once":  # every run value is available
            return
        parts = [p for a, _ in args for p in a] + [p for v, _, _ in env.values() for p in v]
        kind, value, sched_span = ctx.schedule
        if ctx.dated:
            if value == "@once":
                self._no_window(parts, sched_span)
            return
        for part in parts:
            if isinstance(part, RunPart) and part.var in _DATED:
                how = "manually" if kind == "manual" else "by after(...)"
                self.sink.emit("E502", f"`run.{part.var}` is not available: pipeline `{ctx.pipe.name}` is triggered {how}",
                               part.span, label="no logical date", secondary=[Label(sched_span, "scheduled here")],
                               help="runs triggered by after(...) or manually have no logical date; "
                                    "use `run.run_id`, or schedule the pipeline with cron")

    def _no_window(self, parts, sched_span: Span) -> None:
        for part in parts:
            if isinstance(part, RunPart) and part.var in _WINDOW:
                self.sink.emit("E504", f"`run.{part.var}` is not available: an `@once` run has no data window",
                               part.span, label="no data window", secondary=[Label(sched_span, "scheduled here")],
                               help="schedule the pipeline with cron or a preset such as \"@daily\" for windows, "
                                    "or use `run.logical_date`")

    def _secret_envs(self, ctx: Ctx, uses, tenant_span: Span, runner: RunnerDef) -> tuple[ir.SecretEnv, ...]:
        out = {}
        for env_var, slot, span in uses:
            source = ctx.tenant.secrets.get(slot)
            if source is None:
                self.sink.emit("E402", f"tenant `{ctx.tenant.name}` does not declare secret slot `{slot}`",
                               tenant_span, label=f"runs `{runner.name}`, which needs `{slot}`",
                               secondary=[Label(span, "secret used here"),
                                          Label(ctx.tenant.decl.name.span, "tenant declared here")],
                               help=f'add `secret {slot} = k8s_secret("NAME", key = "KEY")` to tenant `{ctx.tenant.name}`')
                continue
            out[env_var] = self._shared(("secret", env_var, slot, *source[:2], ctx.tenant.name), lambda: ir.SecretEnv(
                env_var=env_var, slot=slot, source=ir.SecretSource(secret_name=source[0], key=source[1]),
                connection_id=f"{ctx.tenant.name}__{slot}"))
        return tuple(out[k] for k in sorted(out))

    def _env_clash(self, env: dict, secrets, s: dict, td: TaskDef) -> None:
        for sec in secrets:
            if sec.env_var in env:
                self.sink.emit("E208", f"environment variable `{sec.env_var}` is set by `env` and by `secrets`",
                               s["env"][sec.env_var][2], help="rename the variable or map the secret to another name")


def _placeholder(ty: Ty, span: Span) -> Val:
    """A well-formed value of a parameter's type, for checking a runner no task calls."""
    if ty.kind == "enum":
        return Val("text", (ty.values[0] if ty.values else "",), span)
    kinds = {"int": ("int", 1), "bool": ("bool", False), "duration": ("duration", 60), "list": ("list", ()),
             "map": ("map", ())}
    kind, data = kinds.get(ty.kind, ("text", ("1",)))
    return Val(kind, data, span)


def _first(*values):
    for v in values:
        if v is not None:
            return v
    return None


def _text(parts) -> ir.Text:
    merged: list = []
    for part in parts:
        if isinstance(part, RunPart):
            merged.append(ir.RunRef(var=part.var))
        elif part and merged and isinstance(merged[-1], str):
            merged[-1] += part
        elif part:
            merged.append(part)
    return ir.Text(parts=tuple(merged))


def order_tasks(tasks: list[ir.Task]) -> list[ir.Task]:
    """By layer, then lexicographic topological order inside each layer (a layer with a cycle,
    reported by pipec.check, keeps what could be ordered and then every task by name)."""
    out = []
    by_name = {t.name: t for t in tasks}
    for layer in ir.LAYERS:
        names = sorted(t.name for t in tasks if t.layer == layer)
        nodes = sorted(set(names))
        here = set(nodes)
        edges = {(u, t.name) for t in tasks if t.layer == layer for u in t.upstream if u in here}
        try:
            out.extend(by_name[name] for name in _lexicographic_order(nodes, edges))
        except _Cyclic:
            out.extend(by_name[name] for name in names)
    return out


class _Cyclic(Exception):
    pass


def _lexicographic_order(names: list[str], edges: set[tuple[str, str]]):
    """networkx's ``lexicographical_topological_sort`` of a graph: the smallest ready name first."""
    import heapq

    indegree = dict.fromkeys(names, 0)
    children: dict[str, list[str]] = {name: [] for name in names}
    for u, v in edges:
        indegree[v] += 1
        children[u].append(v)
    ready = [name for name in names if indegree[name] == 0]
    heapq.heapify(ready)
    done = 0
    while ready:
        name = heapq.heappop(ready)
        for child in children[name]:
            indegree[child] -= 1
            if indegree[child] == 0:
                heapq.heappush(ready, child)
        done += 1
        yield name
    if done != len(names):
        raise _Cyclic
