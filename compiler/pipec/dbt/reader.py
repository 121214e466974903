"""Reading a ``dbt NAME { ... }`` block, and expanding it into a pipeline's tasks.

    dbt shop {
      manifest = "dbt/target/manifest.json"       # written by `dbt parse`
      runner   = dbt_node                         # or dbt_node(vars = "...")
      select   = "+fct_revenue_daily tag:daily"   # default: every node
      exclude  = "tag:deprecated"
      mode     = build                            # or run_then_test
      layers   = { silver = "staging", gold = "marts" }
      sources  = { extract_orders = "shop.orders" }
    }

A pipeline runs it with ``dbt = shop`` (or ``dbt = [shop, other]``). The block is
read once, independently of environments and tenants: the manifest is loaded,
selectors evaluated and the task plan built here; every pipeline that names the
block gets the same tasks, as ordinary tasks that the graph checks and
instantiation then treat like hand-written ones.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from pipec.dbt import manifest as mf
from pipec.dbt import selector as sel
from pipec.dbt.plan import Planned, plan
from pipec.diagnostics import Label, Sink
from pipec.ir.blocks import FieldSpec, fields_of, read_fields
from pipec.ir.loader import LoadedModule
from pipec.ir.values import INVALID, Evaluator, Scope, Ty, did_you_mean
from pipec.source import Span
from pipec.syntax import nodes as n

MODES = ("build", "run_then_test")
LAYER_NAMES = ("bronze", "silver", "gold")
FIELDS = (
    FieldSpec("manifest", Ty("string"), True), FieldSpec("project", Ty("string", optional=True)),
    FieldSpec("runner", Ty("any"), True), FieldSpec("select", Ty("any")), FieldSpec("exclude", Ty("any")),
    FieldSpec("mode", Ty("enum", values=MODES, enum="dbt mode")), FieldSpec("layers", Ty("map"), True),
    FieldSpec("sources", Ty("map")),
)
RUNNER_PARAMS = ("command", "select")
_NOT_NAME = re.compile(r"[^a-z0-9_]")


@dataclass
class DbtDef:
    """A read ``dbt`` block. ``tasks`` is empty when the block has errors.

    ``layer_of`` maps each task to its layer and the span of the ``layers``
    entry that placed it; ``links`` maps linked source ids to the bronze tasks
    (name, span of the name) that load them; ``manifest_path`` is the manifest
    as found on disk, ``sha256`` its hash (recorded in the outputs).
    ``project_dir`` is the dbt project checked for staleness (None: not found, no
    check) and ``read_files`` the project files that check read (the compile
    cache hashes them, ``pipec.buildcache``).
    """

    name: str
    decl: n.Decl
    module: LoadedModule
    manifest_path: Path | None = None
    sha256: str | None = None
    runner: n.Value | None = None
    tasks: list[Planned] = field(default_factory=list)
    layer_of: dict[str, tuple[str, Span]] = field(default_factory=dict)
    links: dict[str, list[tuple[str, Span]]] = field(default_factory=dict)
    project_dir: Path | None = None
    read_files: tuple[str, ...] = ()
    docs: dict[str, str] = field(default_factory=dict)


class DbtReader:
    """Reads one ``dbt`` block; ``runners`` maps runner declaration spans to their parameter names."""

    def __init__(self, sink: Sink, ev: Evaluator, runners: dict[Span, tuple[str, ...]]) -> None:
        self.sink, self.ev, self.runners = sink, ev, runners

    def read(self, decl: n.Decl, mod: LoadedModule) -> DbtDef:
        out = DbtDef(decl.name.text, decl, mod)
        where = f"dbt `{decl.name.text}`"
        found, _ = fields_of(decl.block, self.sink, where, "fields")
        read = read_fields(found, FIELDS, self.ev, Scope(mod), where, decl.name.span)
        if INVALID in (read.values.get("manifest"), read.values.get("runner"), read.values.get("layers")):
            return out
        ok = self._runner(found["runner"].value, mod)
        manifest = self._manifest(read, mod, found, out)
        if manifest is None or not ok:
            return out
        out.runner, out.manifest_path = found["runner"].value, self._path(mod, read.get("manifest"))
        out.sha256 = manifest.sha256
        self._build(out, manifest, read, found)
        return out

    # ------------------------------------------------------------ runner

    def _runner(self, node: n.Value, mod: LoadedModule) -> bool:
        ref = node.callee if isinstance(node, n.Call) else node
        if not isinstance(ref, n.Ref):
            self.sink.emit("E812", "`runner` names the runner that runs each dbt node", node.span,
                           label="not a runner", help="write `runner = dbt_node` (from std/runners) or your own")
            return False
        sym = self.ev.coerce(self.ev.eval(ref, Scope(mod)), Ty("ref", ref_kind="runner"), "`runner`")
        if sym is INVALID:
            return False
        params = self.runners.get(sym.decl.span, ())
        missing = [p for p in RUNNER_PARAMS if p not in params]
        given = [a for a in (node.args if isinstance(node, n.Call) else ()) if a.name and a.name.text in RUNNER_PARAMS]
        if missing:
            self.sink.emit("E812", f"runner `{sym.name}` cannot run dbt nodes", ref.span,
                           label=f"has no parameter {', '.join(f'`{p}`' for p in missing)}",
                           secondary=[Label(sym.decl.name.span, "runner declared here")],
                           help="a dbt runner takes `command: string` (run, test, build, seed, snapshot) and "
                                "`select: string`; use `dbt_node` from std/runners")
        for arg in given:
            self.sink.emit("E812", f"`{arg.name.text}` is set for each dbt node", arg.name.span,
                           label="set by the dbt block", help=f"remove `{arg.name.text} = ...`; choose nodes with "
                                                              "`select` and the commands with `mode`")
        return not missing and not given

    # ------------------------------------------------------------ manifest

    def _path(self, mod: LoadedModule, text: str) -> Path:
        return mod.real.parent / text

    def _manifest(self, read, mod: LoadedModule, found, out: DbtDef) -> mf.Manifest | None:
        span = read.spans["manifest"]
        path = self._path(mod, read.get("manifest"))
        try:
            manifest = mf.load(path)
        except mf.ManifestError as err:
            code = {"missing": "E801", "unreadable": "E802", "old": "E803"}[err.kind]
            self.sink.emit(code, err.message.replace(path.as_posix(), read.get("manifest")), span,
                           label={"missing": "no such file", "unreadable": "cannot use this file",
                                  "old": "stale manifest"}[err.kind], help=err.help)
            return None
        project = self._project_dir(read, mod, path)
        if project is not None:
            stale = mf.stale_files(manifest, project)
            if stale:
                shown = ", ".join(f"`{p}`" for p in stale[:3]) + (f" and {len(stale) - 3} more" if len(stale) > 3 else "")
                self.sink.emit("E804", f"dbt manifest is stale: {shown} changed since it was written", span,
                               label="stale manifest",
                               help=f"run `dbt parse` in `{_shown(project)}` to write the manifest again")
                return None
            out.project_dir, out.read_files = project, tuple(mf.checked_files(manifest))
        return manifest

    def _project_dir(self, read, mod: LoadedModule, manifest_path: Path) -> Path | None:
        given = read.get("project")
        if given is None:
            guess = manifest_path.parent.parent
            return guess if (guess / "dbt_project.yml").is_file() else None
        folder = self._path(mod, given)
        if not (folder / "dbt_project.yml").is_file():
            self.sink.emit("E801", f"dbt project `{given}` has no dbt_project.yml", read.spans["project"],
                           label="not a dbt project", help="point `project` at the folder that holds dbt_project.yml")
            return None
        return folder

    # ------------------------------------------------------------ selection and plan

    def _build(self, out: DbtDef, manifest: mf.Manifest, read, found) -> None:
        include = self._selection(found.get("select"), manifest)
        exclude = self._selection(found.get("exclude"), manifest)
        layers = self._layers(found["layers"].value, manifest)
        links = self._links(found.get("sources"), manifest)
        if None in (include, exclude, layers, links):
            return
        chosen_all = (include if found.get("select") else set(manifest.nodes)) - exclude
        chosen = {u for u in chosen_all if manifest.nodes[u].resource_type in mf.BUILDABLE
                  and manifest.nodes[u].config.get("materialized") != "ephemeral"}
        if not chosen:
            at = found.get("select") or found.get("exclude") or found["manifest"]
            self.sink.emit("E811", f"dbt `{out.name}` selects no model, seed or snapshot", at.value.span,
                           label="selects nothing", help="widen `select` or narrow `exclude`")
            return
        names = self._names(manifest, chosen, found["manifest"].value.span)
        placed = self._place(manifest, chosen, layers, found["layers"].value.span)
        if names is None or placed is None:
            return
        tests = {u for u, node in manifest.nodes.items() if node.resource_type == "test" and u not in exclude
                 and (u in chosen_all or any(p in chosen_all for p in node.parents))}
        out.tasks = plan(manifest, chosen, tests, set(links), names, read.get("mode", "build"))
        out.layer_of = {t.name: placed[t.node] for t in out.tasks}
        out.links = links
        out.docs = {t.name: _doc(manifest, t) for t in out.tasks}

    def _strings(self, node: n.Value) -> list[n.Str] | None:
        items = node.items if isinstance(node, n.ListV) else (node,)
        bad = [i for i in items if not isinstance(i, n.Str) or any(isinstance(p, n.Interp) for p in i.parts)]
        for item in bad:
            self.sink.emit("E201", "a dbt selector is a plain string", item.span, label="not a plain string",
                           help='write e.g. `"tag:nightly"` or a list of such strings, without `${...}`')
        return None if bad else list(items)

    def _selection(self, fld: n.Field | None, manifest: mf.Manifest) -> set[str] | None:
        if fld is None:
            return set()
        strings = self._strings(fld.value)
        if strings is None:
            return None
        picked: set[str] | None = set()
        for node in strings:
            got = self._evaluate(node, manifest)
            picked = None if got is None or picked is None else picked | got
        return picked

    def _evaluate(self, node: n.Str, manifest: mf.Manifest) -> set[str] | None:
        text = _plain_text(node)
        try:
            selection = sel.parse(text)
        except sel.SelectorError as err:
            self.sink.emit("E805", err.message, _inner(node, err.start, err.end), label="not a selector",
                           help=err.help)
            return None
        found = {atom: sel.matches(manifest, atom) for inter in selection for atom in inter}
        for atom, hits in found.items():
            if not hits:
                self.sink.emit("E806", f"dbt selector `{atom.raw}` matches no node", _inner(node, atom.start, atom.end),
                               label="matches nothing", help=_suggest(manifest, atom))
        return sel.select(manifest, selection, found) if all(found.values()) else None

    def _layers(self, node: n.MapV, manifest: mf.Manifest) -> dict[str, tuple[set[str], Span]] | None:
        out: dict[str, tuple[set[str], Span]] = {}
        ok = True
        for entry in node.entries:
            if entry.key.text not in LAYER_NAMES:
                self.sink.emit("E813", f"`{entry.key.text}` is not a layer", entry.key.span, label="not a layer",
                               help=did_you_mean(entry.key.text, LAYER_NAMES) or "layers: bronze, silver, gold")
                ok = False
                continue
            strings = self._strings(entry.value)
            picked = [self._evaluate(s, manifest) for s in strings] if strings is not None else [None]
            if None in picked:
                ok = False
                continue
            out[entry.key.text] = (set().union(*picked), entry.value.span)
        return out if ok else None

    def _links(self, fld: n.Field | None, manifest: mf.Manifest) -> dict[str, list[tuple[str, Span]]] | None:
        if fld is None:
            return {}
        if not isinstance(fld.value, n.MapV):
            return None  # reported by read_fields
        by_name = {f"{s.source_name}.{s.name}": u for u, s in manifest.nodes.items() if s.resource_type == "source"}
        out: dict[str, list[tuple[str, Span]]] = {}
        ok = True
        for entry in fld.value.entries:
            for item in self._strings(entry.value) or []:
                text = _plain_text(item)
                uid = by_name.get(text)
                if uid is None:
                    ok = False
                    self.sink.emit("E809", f"dbt project has no source `{text}`", item.span, label="unknown source",
                                   help=did_you_mean(text, by_name) or "sources: " + ", ".join(sorted(by_name)))
                    continue
                out.setdefault(uid, []).append((entry.key.text, entry.key.span))
        return out if ok else None

    def _names(self, manifest: mf.Manifest, chosen: set[str], span: Span) -> dict[str, str] | None:
        names: dict[str, str] = {}
        seen: dict[str, str] = {}
        for uid in sorted(chosen):
            node = manifest.nodes[uid]
            name = _task_name(node)
            if name in seen:
                self.sink.emit("E810", f"dbt nodes `{seen[name]}` and `{uid}` both become task `{name}`", span,
                               label="from this manifest", help="rename one of the dbt nodes, or `exclude` one")
                return None
            seen[name], names[uid] = uid, name
        return names

    def _place(self, manifest: mf.Manifest, chosen: set[str], layers, span: Span) -> dict | None:
        placed: dict[str, tuple[str, Span]] = {}
        homeless = []
        for uid in sorted(chosen):
            hits = [(layer, at) for layer, (members, at) in sorted(layers.items(), key=lambda x: LAYER_NAMES.index(x[0]))
                    if uid in members]
            if not hits:
                homeless.append(uid)
            elif len(hits) > 1:
                self.sink.emit("E808", f"dbt node `{uid}` falls in two layers, `{hits[0][0]}` and `{hits[1][0]}`",
                               hits[1][1], label=f"also selects `{manifest.nodes[uid].name}`",
                               secondary=[Label(hits[0][1], f"`{hits[0][0]}` selects it")],
                               help="make the layer selectors disjoint, e.g. with `path:` folders")
                return None
            else:
                placed[uid] = hits[0]
        if homeless:
            shown = ", ".join(f"`{manifest.nodes[u].name}` ({manifest.nodes[u].path})" for u in homeless[:3])
            more = f" and {len(homeless) - 3} more" if len(homeless) > 3 else ""
            self.sink.emit("E807", f"{len(homeless)} dbt node{'s' if len(homeless) > 1 else ''} in no layer: "
                                   f"{shown}{more}", span, label="layers do not cover every selected node",
                           help="add the folder or tag to a layer in `layers`, or `exclude` the nodes")
            return None
        return placed


def _plain_text(node: n.Str) -> str:
    return "".join(p.text if isinstance(p, n.Lit) else "${" + ".".join(p.path) + "}" for p in node.parts)


def _inner(node: n.Str, start: int, end: int) -> Span:
    """The span of characters ``start:end`` of a string literal's text (the whole string if it has escapes)."""
    span = node.span
    if len(node.parts) != 1 or span.end - span.start != len(node.parts[0].text) + 2:
        return span
    return Span(span.path, span.start + 1 + start, span.start + 1 + max(end, start + 1))


def _suggest(manifest: mf.Manifest, atom: sel.Atom) -> str:
    if atom.method == "tag":
        known = sorted({t for node in manifest.nodes.values() for t in node.tags})
        return did_you_mean(atom.value, known) or ("tags: " + ", ".join(known) if known else "the project has no tags")
    if atom.method == "source":
        known = sorted({f"{s.source_name}.{s.name}" for s in manifest.nodes.values() if s.resource_type == "source"})
        return did_you_mean(atom.value, known) or "sources: " + ", ".join(known)
    if atom.method in ("path", "file"):
        return "paths are relative to the dbt project, e.g. `path:models/staging`"
    names = sorted({node.name for node in manifest.nodes.values() if node.resource_type in mf.BUILDABLE} |
                   {part for node in manifest.nodes.values() for part in node.fqn[1:-1]})
    return did_you_mean(atom.value, names) or "name a model, seed or snapshot, or a folder such as `staging`"


def _task_name(node: mf.Node) -> str:
    """The task id of a node: its name in lowercase, other characters as `_` (`_vN` for a version)."""
    version = f"_v{node.version}" if node.version is not None else ""
    name = _NOT_NAME.sub("_", (node.name + version).lower())
    return name if name[:1].isalpha() else f"{node.resource_type}_{name}"


def _doc(manifest: mf.Manifest, task: Planned) -> str:
    node = manifest.nodes[task.node]
    what = f"the tests of dbt {node.resource_type}" if task.is_test else f"dbt {node.resource_type}"
    return f"{what} `{node.unique_id}` ({node.path}): `dbt {task.command} --select {task.select}`"


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix() or "."
    except ValueError:
        return path.as_posix()


@dataclass(frozen=True)
class TaskSpec:
    """A task a pipeline gets from a dbt block (``pipec.ir.decls`` turns it into a TaskDef)."""

    name: str
    span: Span
    layer: str
    call: n.Call
    after: list[tuple[str, Span]]
    doc: str
    module: LoadedModule


def pipeline_tasks(dbt: DbtDef, at: Span) -> list[TaskSpec]:
    """The tasks of ``dbt`` for a pipeline that names it at ``at``."""
    if not dbt.tasks:
        return []
    out, call = [], _Calls(dbt.runner)
    for task in dbt.tasks:
        layer, layer_span = dbt.layer_of[task.name]
        after = [(up, layer_span) for up in task.upstream]
        after += [link for source in task.sources for link in dbt.links.get(source, ())]
        out.append(TaskSpec(task.name, at, layer, call(task), sorted(set(after), key=lambda a: a[0]),
                            dbt.docs[task.name], dbt.module))
    return out


class _Calls:
    """``runner(user args..., command = "...", select = "...")`` per task, with spans on the `runner` value.

    Syntax nodes are immutable: the tasks share the runner's own arguments and
    one ``command = ...`` argument per command.
    """

    def __init__(self, runner: n.Value) -> None:
        self.span = runner.span
        self.ref, self.args = (runner.callee, tuple(runner.args)) if isinstance(runner, n.Call) else (runner, ())
        self.commands: dict[str, n.Arg] = {}

    def __call__(self, task: Planned) -> n.Call:
        command = self.commands.get(task.command)
        if command is None:
            command = self.commands[task.command] = self._arg("command", task.command)
        return n.Call(self.ref, self.args + (command, self._arg("select", task.select)), self.span)

    def _arg(self, key: str, value: str) -> n.Arg:
        return n.Arg(n.Name(key, self.span), n.Str((n.Lit(value, self.span),), self.span), self.span)
