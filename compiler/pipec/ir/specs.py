"""The field tables of spec 3.1, and the value checks that go with them."""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
import zoneinfo

from pipec.diagnostics import Label, Sink
from pipec.ir.blocks import FieldSpec, Read
from pipec.ir.cron import cron_problem
from pipec.ir.values import BUILTIN_ENUMS, INVALID, Evaluator, Scope, Ty
from pipec.source import Span
from pipec.syntax import nodes as n

S, OPT_S = Ty("string"), Ty("string", optional=True)
INT, OPT_INT = Ty("int"), Ty("int", optional=True)
DUR, OPT_DUR = Ty("duration"), Ty("duration", optional=True)
QTY = Ty("quantity")

PLATFORM = (
    FieldSpec("registry", S, True), FieldSpec("timezone", S), FieldSpec("start", S),
    FieldSpec("run_as_user", INT), FieldSpec("pull_secret", OPT_S), FieldSpec("airflow_namespace", S),
    FieldSpec("airflow_service_account", S), FieldSpec("queues", Ty("list")),
)
PLATFORM_DEFAULTS = {"timezone": "UTC", "start": "2024-01-01", "run_as_user": 10001, "pull_secret": None,
                     "airflow_namespace": "airflow", "airflow_service_account": "airflow-worker", "queues": ()}
ENVIRONMENT = (
    FieldSpec("operator", Ty("enum", values=BUILTIN_ENUMS["operator"], enum="operator"), True),
    FieldSpec("network", OPT_S), FieldSpec("docker_url", OPT_S), FieldSpec("kubernetes_conn_id", OPT_S),
    FieldSpec("kubernetes_version", S), FieldSpec("queues", Ty("list")), FieldSpec("registry", OPT_S),
)
PROFILE = (FieldSpec("cpu", QTY, True), FieldSpec("memory", QTY, True))
TENANT = (
    FieldSpec("schema", S, True), FieldSpec("namespace", S, True),
    FieldSpec("enclave", Ty("enum", values=BUILTIN_ENUMS["enclave"], enum="enclave")),
    FieldSpec("quota", Ty("map"), True), FieldSpec("pool", INT), FieldSpec("egress", Ty("list")),
)
PIPELINE = (
    FieldSpec("retries", INT), FieldSpec("retry_delay", DUR), FieldSpec("timeout", OPT_DUR),
    FieldSpec("owner", S), FieldSpec("on_failure", Ty("any", optional=True)), FieldSpec("tags", Ty("list")),
    FieldSpec("max_active_runs", INT), FieldSpec("catchup", Ty("bool")), FieldSpec("paused", Ty("bool", optional=True)),
)
RUNNER = (
    FieldSpec("image", S, True), FieldSpec("entrypoint", Ty("list")), FieldSpec("args", Ty("list")),
    FieldSpec("env", Ty("map")), FieldSpec("secrets", Ty("any")), FieldSpec("profile", Ty("ref", ref_kind="profile")),
    FieldSpec("queue", OPT_S), FieldSpec("retries", INT), FieldSpec("retry_delay", DUR), FieldSpec("timeout", DUR),
    FieldSpec("user", INT),
)
REQUIRED_HELP = {
    "schedule": 'add `schedule = "0 6 * * *"`, `"@daily"`, `manual` or `after(pipeline)`',
    "tenants": "add `tenants = [acme]`",
}

RFC1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
RFC1123_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
SECRET_KEY = re.compile(r"[-._a-zA-Z0-9]+")
SQL_IDENT = re.compile(r"[a-z_][a-z0-9_]*")
K8S_VERSION = re.compile(r"1\.(0|[1-9][0-9]{0,2})")
# an image reference without tag: domain[:port] then path components (distribution/reference grammar)
REGISTRY = re.compile(r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*"
                      r"(?::[0-9]{1,5})?)(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*")
MAX_USER_ID = 2**31 - 1  # Kubernetes validates runAsUser as a non-negative int32
USER_HELP = f"Kubernetes accepts user ids up to {MAX_USER_ID}; use e.g. 10001"
QUEUE_NAME = re.compile(r"[A-Za-z0-9_.-]{1,256}")
PRESETS = ("@once", "@hourly", "@daily", "@weekly", "@monthly", "@quarterly", "@yearly", "@annually")


def platform_values(read: Read) -> dict:
    return {**PLATFORM_DEFAULTS, **{k: v for k, v in read.values.items() if v is not INVALID}}


def _bad(sink: Sink, read: Read, key: str, message: str, help: str, code: str = "E208") -> None:
    sink.emit(code, message, read.spans[key], help=help)
    read.values[key] = INVALID


def check_k8s_label(sink: Sink, read: Read, key: str, what: str) -> None:
    value = read.get(key)
    if isinstance(value, str) and (len(value) > 63 or not RFC1123_LABEL.fullmatch(value)):
        _bad(sink, read, key, f"`{value}` is not a valid {what}",
             "use at most 63 lowercase letters, digits and `-`, starting and ending with a letter or digit",
             "E601")


def check_platform(read: Read, sink: Sink) -> None:
    tz = read.get("timezone")
    if isinstance(tz, str):
        try:
            zoneinfo.ZoneInfo(tz)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            _bad(sink, read, "timezone", f"unknown timezone `{tz}`", 'use an IANA name such as "UTC" or "Europe/Berlin"')
    start = read.get("start")
    if isinstance(start, str):
        try:
            dt.date.fromisoformat(start)
            ok = len(start) == 10
        except ValueError:
            ok = False
        if not ok:
            _bad(sink, read, "start", f"`{start}` is not a date", 'write the date as "YYYY-MM-DD"')
    user = read.get("run_as_user")
    if isinstance(user, int) and user <= 0:
        _bad(sink, read, "run_as_user", "`run_as_user` must be a non-root user id",
             "pods run as a non-root numeric user (restricted Pod Security Standard); use e.g. 10001")
    elif isinstance(user, int) and user > MAX_USER_ID:
        _bad(sink, read, "run_as_user", f"user id {user} is larger than Kubernetes allows", USER_HELP, "E217")
    _check_start_in_timezone(read, sink)
    check_registry(read, sink)
    check_k8s_label(sink, read, "airflow_namespace", "Kubernetes namespace")
    for key in ("pull_secret", "airflow_service_account"):
        value = read.get(key)
        if isinstance(value, str) and (len(value) > 253 or not RFC1123_SUBDOMAIN.fullmatch(value)):
            _bad(sink, read, key, f"`{value}` is not a valid Kubernetes name",
                 "use lowercase letters, digits, `-` and `.`", "E601")


def check_queues(read: Read, sink: Sink, ev: Evaluator) -> None:
    """``queues = ["a", "b"]``: the Airflow queues a platform or environment has, as a sorted tuple."""
    items = read.get("queues")
    if items is None:
        return
    seen: dict[str, Span] = {}
    for item in items:
        name = ev.coerce(item, S, "`queues`")
        if name is INVALID:
            continue
        if not QUEUE_NAME.fullmatch(name):
            sink.emit("E231", f"`{name}` is not a queue name" if name else "a queue name cannot be empty", item.span, label="not a queue name",
                      help="queue names are letters, digits, `_`, `-` and `.`, at most 256 characters")
        elif name in seen:
            sink.emit("E109", f"queue `{name}` is listed twice", item.span, label="listed again here",
                      secondary=[Label(seen[name], "first listed here")], help="remove one of them")
        else:
            seen[name] = item.span
    read.values["queues"] = tuple(sorted(seen))


def _check_start_in_timezone(read: Read, sink: Sink) -> None:
    """E220: the start date at midnight in the timezone must be a datetime in UTC too."""
    start, tz = read.get("start"), read.get("timezone", "UTC")
    if not isinstance(start, str) or not isinstance(tz, str):
        return
    try:
        midnight = dt.datetime.combine(dt.date.fromisoformat(start), dt.time(), zoneinfo.ZoneInfo(tz))
        midnight.astimezone(dt.timezone.utc)
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return  # reported by the date and timezone checks
    except OverflowError:
        _bad(sink, read, "start", f"`{start}` in timezone `{tz}` lies outside the dates Python can hold in UTC",
             'pick a start date between "0001-01-02" and "9999-12-30"', "E220")


def check_registry(read: Read, sink: Sink) -> None:
    """E219: `registry` (platform, or an environment's override) starts every image reference."""
    registry = read.get("registry")
    if isinstance(registry, str) and not (len(registry) <= 255 and REGISTRY.fullmatch(registry)):
        _bad(sink, read, "registry", f"`{registry}` is not an image registry and repository prefix",
             'write a registry host with an optional port and path, e.g. "registry.example.com/etl" or '
             '"localhost:5000/team"', "E219")


def check_environment(read: Read, sink: Sink) -> None:
    check_registry(read, sink)
    version = read.get("kubernetes_version")
    if isinstance(version, str) and not K8S_VERSION.fullmatch(version):
        _bad(sink, read, "kubernetes_version", f"`{version}` is not a Kubernetes version",
             'write the major and minor version, e.g. "1.31"', "E218")


def check_pipeline(read: Read, sink: Sink) -> None:
    retries, timeout = read.get("retries"), read.get("timeout")
    if isinstance(retries, int) and retries < 0:
        _bad(sink, read, "retries", "`retries` cannot be negative", "use 0 or more")
    if isinstance(timeout, int) and timeout <= 0:
        _bad(sink, read, "timeout", "`timeout` must be longer than zero", "use e.g. 2h")
    runs = read.get("max_active_runs")
    if isinstance(runs, int) and runs < 1:
        _bad(sink, read, "max_active_runs", "`max_active_runs` must be at least 1",
             "use 1 (the default: one run at a time) or more")


def check_tenant(read: Read, sink: Sink, ev: Evaluator) -> None:
    check_k8s_label(sink, read, "namespace", "Kubernetes namespace")
    schema = read.get("schema")
    if isinstance(schema, str) and not SQL_IDENT.fullmatch(schema):
        _bad(sink, read, "schema", f"`{schema}` is not a valid schema name",
             "schema names match [a-z_][a-z0-9_]*")
    pool = read.get("pool")
    if isinstance(pool, int) and pool < 1:
        _bad(sink, read, "pool", "`pool` must have at least one slot", "use a positive number of slots")
    quota = read.get("quota")
    if quota is not None:
        read.values["quota"] = _quota(quota, read.spans["quota"], sink, ev)
    egress = read.get("egress")
    if egress is not None:
        read.values["egress"] = [e for e in (_egress(v, sink, ev) for v in egress) if e is not None]


def _quota(entries, span: Span, sink: Sink, ev: Evaluator):
    specs = {"cpu": QTY, "memory": QTY, "pods": INT}
    out = {}
    for key, val in entries:
        ty = specs.get(key.text)
        if ty is None:
            sink.emit("E107", f"`quota` has no key `{key.text}`", key.span, help="quota keys: cpu, memory, pods")
            continue
        out[key.text] = ev.coerce(val, ty, f"`quota.{key.text}`")
        if key.text == "pods" and isinstance(out["pods"], int) and out["pods"] < 1:
            sink.emit("E208", "`quota.pods` must be positive", val.span, help="allow at least one pod")
            out["pods"] = INVALID
    missing = [k for k in specs if k not in out]
    if missing:
        sink.emit("E108", "`quota` is missing " + ", ".join(f"`{k}`" for k in missing), span,
                  label="needs " + ", ".join(f"`{k}`" for k in missing),
                  help='write `quota = { cpu = "8", memory = "32Gi", pods = 40 }`')
        return INVALID
    return INVALID if INVALID in out.values() else out


def _egress(val, sink: Sink, ev: Evaluator):
    text = ev.coerce(val, S, "`egress`")
    if text is INVALID:
        return None
    cidr, _, port = text.rpartition(":")
    try:
        net = ipaddress.ip_network(cidr, strict=False)
        ok = port.isascii() and port.isdigit() and len(port) <= 5 and 1 <= int(port) <= 65535
        number = int(port) if ok else 0
    except ValueError:
        ok = False
    if not ok:
        sink.emit("E208", f"`{text}` is not \"CIDR:port\"", val.span, help='write e.g. "10.20.0.0/16:5432"')
        return None
    return (str(net), number)


def read_k8s_secret(call: n.Call, ev: Evaluator, scope: Scope) -> tuple[str, str] | None:
    if call.callee.dotted != "k8s_secret":
        ev.sink.emit("E201", f"a secret slot is set with `k8s_secret(...)`, not `{call.callee.dotted}(...)`",
                     call.callee.span, help='write `secret warehouse = k8s_secret("acme-dw", key = "dsn")`')
        return None
    name_arg = [a for a in call.args if a.name is None or a.name.text == "name"]
    key_arg = [a for a in call.args if a.name is not None and a.name.text == "key"]
    extra = [a for a in call.args if a not in name_arg and a not in key_arg]
    for a in extra:
        ev.sink.emit("E207", f"`k8s_secret` has no argument `{a.name.text}`", a.span, help="arguments: name, key")
    if len(name_arg) != 1 or len(key_arg) != 1:
        ev.sink.emit("E206", "`k8s_secret` takes the Secret name and `key = ...`", call.span,
                     help='write `k8s_secret("acme-dw", key = "dsn")`')
        return None
    name = ev.coerce(ev.eval(name_arg[0].value, scope), S, "the secret name")
    key = ev.coerce(ev.eval(key_arg[0].value, scope), S, "`key`")
    if isinstance(name, str) and (len(name) > 253 or not RFC1123_SUBDOMAIN.fullmatch(name)):
        ev.sink.emit("E601", f"`{name}` is not a valid Kubernetes Secret name", name_arg[0].value.span,
                     help="use lowercase letters, digits, `-` and `.`")
        return None
    if isinstance(key, str) and not SECRET_KEY.fullmatch(key):
        ev.sink.emit("E601", f"`{key}` is not a valid Secret key", key_arg[0].value.span,
                     help="keys use letters, digits, `-`, `_` and `.`")
        return None
    return (name, key) if isinstance(name, str) and isinstance(key, str) else None


def read_tenant_list(fld: n.Field, ev: Evaluator, scope: Scope) -> list[tuple[str, Span]]:
    items = ev.coerce(ev.eval(fld.value, scope), Ty("list"), "`tenants`")
    if items is INVALID:
        return []
    if not items:
        ev.sink.emit("E208", "`tenants` is empty", fld.value.span, help="list at least one tenant")
    out: list[tuple[str, Span]] = []
    for item in items:
        sym = ev.coerce(item, Ty("ref", ref_kind="tenant"), "`tenants`")
        first = next((span for name, span in out if sym is not INVALID and name == sym.name), None)
        if first is not None:
            ev.sink.emit("E109", f"tenant `{sym.name}` is listed twice", item.span, label="listed again here",
                         secondary=[Label(first, "first listed here")], help="remove one of them")
        elif sym is not INVALID:
            out.append((sym.name, item.span))
    return out


def read_schedule(fld: n.Field, ev: Evaluator, scope: Scope) -> tuple[str, object, Span] | None:
    node = fld.value
    if isinstance(node, n.Ref) and node.dotted == "manual":
        return ("manual", None, node.span)
    if isinstance(node, n.Call) and node.callee.dotted == "after":
        if len(node.args) != 1 or node.args[0].name is not None or not isinstance(node.args[0].value, n.Ref):
            ev.sink.emit("E201", "`after(...)` takes one pipeline name", node.span, help="write `after(sales)`")
            return None
        ref = node.args[0].value
        return ("after", (ref.dotted, ref.span), node.span)
    val = ev.eval(node, scope)
    if val.kind != "text":
        ev.sink.emit("E203", f"a schedule cannot be {describe_kind(val.kind)}", node.span,
                     help=REQUIRED_HELP["schedule"])
        return None
    text = ev.coerce(val, S, "`schedule`")
    if text is INVALID:
        return None
    if text.startswith("@"):
        if text not in PRESETS:
            ev.sink.emit("E203", f"unknown schedule preset `{text}`", node.span, label="not a preset",
                         help="presets: " + ", ".join(PRESETS))
            return None
        return ("preset", text, node.span)
    problem = cron_problem(text)
    if problem:
        ev.sink.emit("E203", f"`{text}` is not a valid cron expression", node.span, label=problem,
                     help='cron has five fields: minute hour day-of-month month day-of-week, e.g. "0 6 * * *"')
        return None
    return ("cron", text, node.span)


def describe_kind(kind: str) -> str:
    return {"int": "an integer", "name": "an undefined name", "symbol": "a declaration", "list": "a list",
            "map": "a map", "bool": "a boolean", "duration": "a duration", "call": "a call"}.get(kind, kind)
