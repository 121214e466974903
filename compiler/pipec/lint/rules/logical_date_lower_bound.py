"""W106 logical-date-lower-bound: `run.ds` as the lower bound of an incremental load."""

from __future__ import annotations

from pipec.diagnostics import Sink
from pipec.lint.context import LintContext
from pipec.syntax import nodes as n

CODE = "W106"
LOWER_BOUNDS = frozenset({"since", "from", "start", "start_date", "from_date", "lower_bound", "watermark"})
_DATES = (("run", "ds"), ("run", "logical_date"))


def is_lower_bound(param: str) -> bool:
    return param in LOWER_BOUNDS or param.endswith(("_since", "_from"))


def check(ctx: LintContext, sink: Sink) -> None:
    for mod in ctx.user_modules:
        ctx.memo(ctx.module_key(CODE, mod), sink, lambda out: _module(ctx, mod, out))


def _module(ctx: LintContext, mod, sink: Sink) -> None:
    for node in ctx.nodes(mod):
        if isinstance(node, n.Call):
            _call(node, sink)


def _call(call: n.Call, sink: Sink) -> None:
    incremental = any(a.name is not None and a.name.text == "mode" and isinstance(a.value, n.Ref)
                      and a.value.dotted == "incremental" for a in call.args)
    for arg in call.args:
        if arg.name is None or not isinstance(arg.value, n.Str):
            continue
        if not (incremental or is_lower_bound(arg.name.text)):
            continue
        for part in arg.value.parts:
            if isinstance(part, n.Interp) and part.path in _DATES:
                why = "the lower bound" if is_lower_bound(arg.name.text) else "an argument of an incremental load"
                sink.emit(CODE, f"`{'.'.join(part.path)}` is {why} `{arg.name.text}`", part.span,
                          label="the run's date, not where the last load ended",
                          help="use `${run.window_start}` (where the previous run's window ended; the run value "
                               "that comes with gap-free timetables): a late, skipped or retried run then "
                               "leaves no rows unloaded")
