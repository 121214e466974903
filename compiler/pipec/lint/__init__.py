"""Lint: warnings about projects that compile but are likely wrong (W104 onward).

Each rule lives in its own module under ``rules/`` as ``check(ctx, sink)``; the
codes, names and explain pages are in the one table, ``pipec.diagnostics.codes``.
``RULES`` maps each rule function to the codes it emits. ``lint`` runs the
selected rules on a project without errors, then applies suppression comments
and the ``[lint]`` selection of pipec.toml to every warning (W101-W103 too).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Callable

from pipec.diagnostics import Diagnostic, Sink
from pipec.lint import suppress
from pipec.lint.config import OPT_IN, LintConfig, LintConfigError, from_table

if TYPE_CHECKING:
    from pipec.ir import model as ir
    from pipec.ir.decls import Defs
    from pipec.ir.loader import Program
    from pipec.lint.context import LintContext

Rule = Callable[["LintContext", Sink], None]


@cache
def _rules() -> tuple[tuple[Rule, tuple[str, ...]], ...]:
    """The rules and their codes. Imported on first use: reading a project's [lint] table
    (``pipec.lint.config``, which every command does) must not import the IR and every rule."""
    from pipec.lint.rules import (duplicate_task_work, foreign_tenant_secret, images, jinja_in_string, layer_quota,
                                  logical_date_lower_bound, pipeline_settings, retries_timeout, task_names, unused)

    return (
        (jinja_in_string.check, ("W104",)),
        (foreign_tenant_secret.check, ("W105",)),
        (logical_date_lower_bound.check, ("W106",)),
        (images.check, images.CODES),
        (pipeline_settings.check, pipeline_settings.CODES),
        (retries_timeout.check, retries_timeout.CODES),
        (task_names.check, ("W113",)),
        (duplicate_task_work.check, ("W114",)),
        (layer_quota.check, ("W115",)),
        (unused.check, unused.CODES),
    )


def __getattr__(name: str):
    if name == "RULES":  # pipec.lint.RULES, as before: built on first access
        return _rules()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


SUPPRESSION_CODES = ("W119", "W120")


def lint(program: Program, defs: Defs | None, dags: dict[str | None, list[ir.Dag]] | None,
         sink: Sink, config: LintConfig, reuse=None) -> list[Diagnostic]:
    """Every diagnostic of ``sink`` plus the lint warnings, suppressed and selected, sorted.

    ``defs`` and ``dags`` are None when the project has errors: then no rule runs
    (its findings would be noise), but suppressions still apply. ``reuse`` (the
    language server's, see ``LintContext``) replays the findings of unchanged parts.
    """
    ran = defs is not None and dags is not None
    if ran:
        from pipec.lint.context import LintContext

        ctx = LintContext(program, defs, dags, reuse)
        for rule, codes in _rules():
            if any(config.selects(c) for c in codes):
                rule(ctx, sink)
        if reuse is not None:
            reuse.linted = True
    found: list[suppress.Suppression] = []
    for mod in program.modules:
        if not mod.is_std:
            found.extend(_scan(program.sources.get(mod.path), sink, reuse))
    kept = suppress.apply(sink.sorted(), found, program.sources)
    if ran:
        late = Sink()
        suppress.report_unused([s for s in found if config.reports(s.code, s.span.path)], late)
        kept.extend(late.items)
    return sorted((d for d in kept if config.reports(d.code, d.primary.span.path)), key=Diagnostic.sort_key)


def _scan(src, sink: Sink, reuse) -> list[suppress.Suppression]:
    """A file's suppression comments (fresh ones: applying them marks them used)."""
    if reuse is None:
        return suppress.scan(src, sink)
    found = reuse.replay(("suppress", src.path, src.text), sink,
                         lambda out: tuple((s.code, s.line, s.span) for s in suppress.scan(src, out)))
    return [suppress.Suppression(*item) for item in found]


__all__ = ["LintConfig", "LintConfigError", "OPT_IN", "RULES", "SUPPRESSION_CODES", "from_table", "lint"]
