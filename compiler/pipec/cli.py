"""The command line: a thin front end over ``pipec.driver``.

Exit codes: 0 clean, 1 findings or errors in the input, 2 usage or internal error.
No input, however broken, ends in a traceback: compiler bugs are reported as one
``internal error`` line (set PIPEC_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from pipec.diagnostics import CODES, Diagnostic, Sink
from pipec.diagnostics.render import render
from pipec.project import CONFIG, ProjectConfig, ProjectError, resolve
from pipec.source import SourceMap, Span

if TYPE_CHECKING:
    from pipec.driver import Analysis

FORMATS = click.Choice(["text", "json", "sarif", "github"])


def _use_color(color: str) -> bool:
    if color == "auto":
        return sys.stdout.isatty() and "NO_COLOR" not in os.environ
    return color == "always"


def _emit(diags: list[Diagnostic], sources: SourceMap, fmt: str, color: str) -> None:
    if fmt == "text":
        if diags:
            painted = _use_color(color)
            click.echo(render("text", diags, sources, painted), nl=False, color=painted)
        return
    click.echo(render(fmt, diags, sources), nl=False)


def _summary(diags: list[Diagnostic], what: str, fmt: str) -> None:
    errors = sum(1 for d in diags if d.severity.value == "error")
    warnings = len(diags) - errors
    if fmt != "text":
        return
    if errors:
        click.echo(f"error: {what} failed: {_count(errors, 'error')}, {_count(warnings, 'warning')}", err=True)
    elif warnings:
        click.echo(f"{what}: {_count(warnings, 'warning')}", err=True)
    else:
        click.echo(f"{what}: ok ({_count(warnings, 'warning')})", err=True)


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _project_error(err: ProjectError, fmt: str) -> None:
    """E702 (no input) is a usage error, exit 2; a problem inside pipec.toml is located there, exit 1."""
    sink, sources = Sink(), SourceMap()
    if err.at is None:
        sink.emit(err.code, err.message, Span("<command line>", 0, 0), help=err.help)
    else:
        path, text, start, end, label = err.at
        from pipec.ir.loader import display_path

        shown = display_path(path)
        sources.add(shown, text)
        sink.emit(err.code, err.message, Span(shown, start, end), label=label, help=err.help)
    _emit(sink.sorted(), sources, fmt, "never")
    raise SystemExit(2 if err.code == "E702" else 1)


def _publish_error(err, fmt: str, what: str) -> None:
    """An output-folder error (E720-E723): one diagnostic located at the path, exit 1."""
    sink = Sink()
    sink.emit(err.code, err.message, Span(str(err.path), 0, 0), help=err.help)
    _emit(sink.sorted(), SourceMap(), fmt, "never")
    _summary(sink.sorted(), what, fmt)
    raise SystemExit(1)


def _run(files: tuple[str, ...], fmt: str, env: str | None = None, *,
         lint: bool = False) -> tuple[ProjectConfig, "Analysis"]:
    """Resolve the project and analyse it; lint rules run only for ``lint`` (the other commands show errors)."""
    from pipec.driver import analyze
    from pipec.gcpause import collector_off

    try:
        cfg = resolve(files)
    except ProjectError as err:
        _project_error(err, fmt)
    with collector_off():
        return cfg, analyze(cfg.entries, cfg.root, env, lint_config=cfg.lint if lint else None)


common_format = click.option("--output-format", "fmt", type=FORMATS, default="text", show_default=True,
                             help="how diagnostics are printed")
common_color = click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
                            help="color the text output")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pipec")
def cli() -> None:
    """pipec: compile .pipe pipelines into Airflow 3 DAGs and Kubernetes manifests."""


@cli.command()
@click.argument("files", nargs=-1)
@common_format
@common_color
def check(files: tuple[str, ...], fmt: str, color: str) -> None:
    """Parse and check FILES (or the project of pipec.toml) in every environment."""
    cfg, result = _run(files, fmt)
    errors = result.errors
    _emit(errors, result.sources, fmt, color)
    _summary(errors, f"check ({_count(len(result.program.modules if result.program else []), 'file')})", fmt)
    raise SystemExit(1 if errors else 0)


@cli.command()
@click.argument("files", nargs=-1)
@common_format
@common_color
def lint(files: tuple[str, ...], fmt: str, color: str) -> None:
    """Check FILES and report lint warnings too.

    Which warnings: `[lint]` in pipec.toml (select, ignore, per-file-ignores) and
    `# pipec: ignore[CODE]` comments; `pipec explain --list` lists the codes.
    """
    cfg, result = _run(files, fmt, lint=True)
    diags = result.diagnostics
    _emit(diags, result.sources, fmt, color)
    _summary(diags, "lint", fmt)
    raise SystemExit(1 if diags else 0)


@cli.command(name="compile")
@click.argument("files", nargs=-1)
@click.option("--env", "env", help="environment to compile (default: `env` in pipec.toml)")
@click.option("--out", "out", type=click.Path(file_okay=False), help="output folder (default: `out` in pipec.toml)")
@click.option("--check", "check_only", is_flag=True, help="write nothing; fail if outputs are stale, missing or extra")
@common_format
@common_color
def compile_cmd(files, env, out, check_only, fmt, color) -> None:
    """Compile FILES for one environment into OUT/ENV/ (DAGs, pod specs, tenant manifests)."""
    from pipec.gcpause import collector_off

    with collector_off():
        _compile_cmd(files, env, out, check_only, fmt, color)


def _compile_cmd(files, env, out, check_only, fmt, color) -> None:
    from pipec import buildcache

    try:
        cfg = resolve(files)
    except ProjectError as err:
        _project_error(err, fmt)
    env = env or cfg.env
    out_dir = Path(out) if out else cfg.out
    if env is None or out_dir is None:
        _project_error(ProjectError("E702", "`compile` needs --env and --out (or `env`/`out` in pipec.toml)",
                                    "e.g. pipec compile --env local --out build"), fmt)
    options = buildcache.options_of(cfg.entries, cfg.root, env, out_dir)
    cached = None if buildcache.disabled() else buildcache.lookup(out_dir, env, options)
    if cached is not None:  # nothing changed since a clean run: its outputs are all in place
        outcome = _unchanged(cached.outputs)
        _emit([], SourceMap(), fmt, color)  # one (empty) document for machine formats
        raise SystemExit(_report_publish(outcome, out_dir / env, check_only, fmt))
    outcome, result = _compile(cfg, env, out_dir, check_only, fmt, color)
    if not buildcache.disabled() and (not check_only or outcome.up_to_date):
        config = cfg.root / CONFIG if (cfg.root / CONFIG).is_file() else None
        outputs = {p: outcome.hashes[p] for p in outcome.written + outcome.unchanged}  # as published
        inputs = buildcache.input_files(result.program, config, result.defs)
        buildcache.store(out_dir, env, inputs, options, outputs)
    raise SystemExit(_report_publish(outcome, out_dir / env, check_only, fmt))


def _compile(cfg: ProjectConfig, env: str, out_dir: Path, check_only: bool, fmt: str, color: str):
    """Analyse, generate and publish (or compare); exits on errors. The outcome and the program."""
    from pipec.publish import PublishError, publish

    session, result = _analyze_for_compile(cfg, env, out_dir)
    gc.freeze()  # the syntax trees and the IR live on until the end: no collection walks them again
    errors = result.errors
    if errors or result.project is None:
        _emit(errors, result.sources, fmt, color)
        _summary(errors, "compile", fmt)
        raise SystemExit(1)
    try:
        if session is not None:
            files = session.generate(result.project)
        else:
            from pipec.codegen import generate

            files = generate(result.project)
        outcome = publish(out_dir, env, files, check=check_only, inputs=dict(result.project.inputs))
    except PublishError as err:
        _publish_error(err, fmt, "compile")
    if session is not None and (not check_only or outcome.up_to_date):
        session.save()
    _emit(errors, result.sources, fmt, color)  # one (empty) document for machine formats
    return outcome, result


def _analyze_for_compile(cfg: ProjectConfig, env: str, out_dir: Path):
    """The analysis for ``env``, through the incremental store (``pipec.incremental``) unless
    PIPEC_NO_CACHE is set. A run with errors is repeated without the store: diagnostics are a
    cold compile's. The session (None without the store) and the analysis."""
    from pipec import buildcache
    from pipec.driver import analyze

    if not buildcache.disabled():
        from pipec.incremental import Session
        from pipec.syntax.parser import parse_store

        session = Session(out_dir, env)
        with parse_store(session.parses()):
            result = analyze(cfg.entries, cfg.root, env, lint_config=None, memo=session.dag_memo)
        if not result.errors and result.project is not None:
            return session, result
    return None, analyze(cfg.entries, cfg.root, env, lint_config=None)


def _unchanged(outputs: dict[str, str]):
    from pipec.publish import PublishResult

    return PublishResult(unchanged=tuple(sorted(outputs)))


def _report_publish(outcome, where: Path, check_only: bool, fmt: str) -> int:
    if check_only:
        problems = [("stale", p) for p in outcome.stale] + [("missing", p) for p in outcome.missing] + \
                   [("extra", p) for p in outcome.extra]
        for kind, path in problems:
            click.echo(f"{kind}: {where / path}")
        if fmt == "text":
            click.echo(f"compile --check: {'outputs are out of date' if problems else 'ok'} ({where})", err=True)
        return 1 if problems else 0
    if fmt == "text":
        click.echo(f"compile: ok: wrote {_count(len(outcome.written), 'file')}, removed {len(outcome.removed)}, "
                   f"{len(outcome.unchanged)} unchanged in {where}", err=True)
    return 0


@cli.command(name="fmt")
@click.argument("files", nargs=-1)
@click.option("--check", "check_only", is_flag=True, help="write nothing; exit 1 listing the files that would change")
@click.option("--diff", "show_diff", is_flag=True, help="write nothing; print a unified diff of the changes")
@common_color
def fmt_cmd(files, check_only, show_diff, color) -> None:
    """Format FILES (or the project of pipec.toml) in the canonical layout; `-` is stdin to stdout."""
    from pipec.fmt.command import run

    try:
        code = run(files, check_only, show_diff, _use_color(color))
    except ProjectError as err:
        _project_error(err, "text")
    raise SystemExit(code)


@cli.command()
@click.argument("code", required=False)
@click.option("--list", "list_all", is_flag=True, help="list every code with its name and summary")
def explain(code: str | None, list_all: bool) -> None:
    """Explain a diagnostic code, e.g. `pipec explain E301`; without CODE (or with --list), list every code."""
    if code is None or list_all:
        click.echo(_code_list(), nl=False)
        return
    entry = CODES.get(code.upper())
    if entry is None:
        click.echo(f"error: unknown code `{code}`; codes: {', '.join(sorted(CODES))}", err=True)
        raise SystemExit(2)
    click.echo(f"{entry.code} ({entry.name}, {entry.severity}): {entry.summary}\n\n{entry.explanation}")


def _code_list() -> str:
    from pipec.lint import OPT_IN

    width = max(len(c.name) for c in CODES.values())
    rows = [f"{c.code}  {c.name:<{width}}  {c.summary}{'  (opt-in)' if c.code in OPT_IN else ''}\n"
            for c in sorted(CODES.values(), key=lambda c: c.code)]
    return "".join(rows)


@cli.command()
def lsp() -> None:
    """Run the language server over stdio (for editors; needs `pip install 'pipec[lsp]'`)."""
    try:
        from pipec.lsp.server import serve
    except ImportError as err:  # pygls is an optional dependency
        if (err.name or "").split(".")[0] not in ("pygls", "lsprotocol", "cattrs", "attrs"):
            raise
        click.echo(f"error: `pipec lsp` needs the language server package pygls ({err})\n"
                   "  = help: install it with: pip install 'pipec[lsp]'", err=True)
        raise SystemExit(2)
    serve()


@cli.command(name="graph")
@click.argument("files", nargs=-1)
@click.option("--format", "graph_format", type=click.Choice(["mermaid", "dot", "svg", "png"]), default="mermaid",
              show_default=True, help="mermaid or dot text; svg or png through Graphviz's `dot`")
@click.option("--out", "out", type=click.Path(dir_okay=False), help="write to this file instead of stdout")
@click.option("--pipeline", "pipeline", help="draw only this pipeline")
@common_format
@common_color
def graph_cmd(files, graph_format, out, pipeline, fmt, color) -> None:
    """Draw the task graph of every pipeline (or one): layers, `after` edges, `after(p)` schedules."""
    from pipec import graph

    try:
        graph.require_graphviz(graph_format)
        cfg, result = _run(files, fmt)
        if result.errors or result.defs is None:
            _emit(result.errors, result.sources, fmt, color)
            _summary(result.errors, "graph", fmt)
            raise SystemExit(1)
        data = graph.draw(result.defs, graph_format, pipeline)
    except graph.GraphError as err:
        click.echo(f"error: {err.message}\n  = help: {err.help}", err=True)
        raise SystemExit(2)
    if out:
        Path(out).write_bytes(data)
    else:
        click.echo(data, nl=False)


@cli.command(name="docs")
@click.argument("files", nargs=-1)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="output folder for the Markdown pages")
@common_format
@common_color
def docs_cmd(files, out: Path, fmt, color) -> None:
    """Write Markdown documentation of the project into OUT (index, pipelines, runners, tenants).

    With any error nothing is written. OUT/docs-manifest.json lists the files pipec docs
    wrote: a later run rewrites only those (atomically) and removes pages it no longer
    produces; a file it did not write is never overwritten (E721, exit 1). It has its
    own manifest, so docs and compile outputs may share a folder without removing each
    other's files.
    """
    from pipec.docgen import render
    from pipec.publish import DOCS_MANIFEST, PublishError, publish

    cfg, result = _run(files, fmt)
    if result.errors or result.defs is None:
        _emit(result.errors, result.sources, fmt, color)
        _summary(result.errors, "docs", fmt)
        raise SystemExit(1)
    try:
        outcome = publish(out, "", render(result.defs, result.sources, cfg.root), manifest=DOCS_MANIFEST)
    except PublishError as err:
        _publish_error(err, fmt, "docs")
    if fmt == "text":
        click.echo(f"docs: ok: wrote {_count(len(outcome.written), 'file')}, removed {len(outcome.removed)}, "
                   f"{len(outcome.unchanged)} unchanged in {out}", err=True)
    raise SystemExit(0)


@cli.command(name="init")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--tenant", "tenant", default="acme", show_default=True, help="the name of the first tenant")
def init_cmd(folder: Path, tenant: str) -> None:
    """Create a new project in FOLDER (pipec.toml, main.pipe, .gitignore, README.md); never overwrites."""
    from pipec.scaffold import ScaffoldError, scaffold

    try:
        written = scaffold(folder, tenant)
    except ScaffoldError as err:
        click.echo(f"error: {err.message}\n  = help: {err.help}", err=True)
        raise SystemExit(2)
    for path in written:
        click.echo(f"created {path}")
    click.echo(f"init: ok: next, `cd {folder}` and run `pipec check`", err=True)


def main() -> None:
    # pipec's IR models are its own: no pydantic plugin (an entry point some package of the
    # environment installs, such as an observability hook) is meant for them, and looking
    # for plugins reads the metadata of every installed distribution: some 0.1 s of file
    # system calls on each run where Airflow's 170-odd distributions share the environment.
    # PYDANTIC_DISABLE_PLUGINS set by the caller wins.
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    try:
        cli.main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        raise SystemExit(130)
    except Exception as exc:  # a compiler bug: one clear line, never a raw traceback
        if os.environ.get("PIPEC_DEBUG"):
            import traceback

            traceback.print_exc()
        click.echo(f"internal error: {type(exc).__name__}: {exc}\n"
                   "this is a bug in pipec; set PIPEC_DEBUG=1 for details and please report it", err=True)
        raise SystemExit(2)
