"""`pipec graph`: golden Mermaid and dot files for every example, their structure
checked against the definitions, escaping, errors and the Graphviz formats.

Goldens are ``golden/graph/<example>.mmd`` and ``.dot``, one pair per example
found on disk. PIPEC_UPDATE_GOLDEN=1 rewrites them; a missing golden is written
and the test fails.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipec import graph
from pipec.driver import analyze
from pipec.project import load_config

from .support import EXAMPLES, UPDATE, invoke

GOLDEN = Path(__file__).parent / "golden" / "graph"
SUFFIX = {"mermaid": ".mmd", "dot": ".dot"}
GOLDEN_CASES = [(e, f) for e in EXAMPLES for f in SUFFIX]
CAT = shutil.which("cat") or "/bin/cat"


def _defs(example: Path):
    cfg = load_config(example / "pipec.toml")
    result = analyze(cfg.entries, cfg.root)
    assert not result.errors
    return result.defs


def _expected_edges(defs) -> set[tuple[str, str]]:
    return {(graph.task_id(p.name, up), graph.task_id(p.name, t.name))
            for p in defs.pipelines.values() for t in p.tasks for up, _ in t.after}


def _expected_links(defs) -> set[tuple[str, str]]:
    return {(p.schedule[1][0], p.name) for p in defs.pipelines.values() if p.schedule and p.schedule[0] == "after"}


# ---------------------------------------------------------------- goldens


@pytest.mark.parametrize(("example", "fmt"), GOLDEN_CASES, ids=[f"{e.name}-{f}" for e, f in GOLDEN_CASES])
def test_golden(example: Path, fmt: str) -> None:
    out = invoke(["graph", "--format", fmt], example)
    assert out.exit_code == 0, out.stderr
    expected = GOLDEN / f"{example.name}{SUFFIX[fmt]}"
    if UPDATE or not expected.exists():
        expected.parent.mkdir(parents=True, exist_ok=True)
        existed = expected.exists()
        expected.write_text(out.stdout, encoding="utf-8")
        if not existed:
            pytest.fail(f"wrote the missing golden {expected}; look at it and run again")
    assert out.stdout == expected.read_text(encoding="utf-8")


def test_every_golden_has_an_example() -> None:
    names = {e.name for e in EXAMPLES}
    stale = sorted(p.name for p in GOLDEN.glob("*") if p.stem not in names or p.suffix not in SUFFIX.values())
    assert not stale, f"goldens without an example: {stale}"


def test_output_is_the_same_under_any_hash_seed() -> None:
    example = EXAMPLES[-1]
    outs = set()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-m", "pipec", "graph", "--format", "dot"], cwd=example,
                              capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
        outs.add(proc.stdout)
    assert len(outs) == 1


# ---------------------------------------------------------------- dot structure


@dataclass
class Cluster:
    name: str
    attrs: dict[str, str] = field(default_factory=dict)
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    clusters: list["Cluster"] = field(default_factory=list)


TOKEN = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|(->|[{}\[\];=,])|([A-Za-z_][A-Za-z0-9_]*))')


def _tokens(text: str) -> list[tuple[str, str]]:
    """(kind, value): kind is "str" (a quoted string, unescaped), "id" or "punct"."""
    found, pos = [], 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        assert m, f"dot: cannot read {text[pos:pos + 30]!r}"
        if m.group(1) is not None:
            found.append(("str", re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n" else e.group(1), m.group(1))))
        elif m.group(2):
            found.append(("punct", m.group(2)))
        else:
            found.append(("id", m.group(3)))
        pos = m.end()
    return found


class DotReader:
    """A reader for the dot subset pipec writes: nested subgraphs, attribute lines, nodes, edges."""

    def __init__(self, text: str) -> None:
        self.toks, self.i = _tokens(text), 0
        self.edges: list[tuple[str, str, dict[str, str]]] = []

    def take(self, value: str | None = None) -> str:
        kind, tok = self.toks[self.i]
        assert value is None or (tok == value and kind != "str"), f"expected {value!r}, got {tok!r}"
        self.i += 1
        return tok

    def peek(self) -> str | None:
        return self.toks[self.i][1] if self.i < len(self.toks) else None

    def read(self) -> Cluster:
        self.take("digraph")
        root = Cluster(self.take())
        self.body(root)
        assert self.i == len(self.toks), "text after the closing brace"
        return root

    def body(self, cluster: Cluster) -> None:
        self.take("{")
        while self.peek() != "}":
            self.statement(cluster)
        self.take("}")

    def statement(self, cluster: Cluster) -> None:
        if self.toks[self.i] == ("id", "subgraph"):
            self.take()
            child = Cluster(self.take())
            self.body(child)
            cluster.clusters.append(child)
            return
        first = self.take()
        if self.peek() == "=":
            self.take()
            cluster.attrs[first] = self.take()
        elif self.peek() == "->":
            self.take()
            self.edges.append((first, self.take(), self.attrs()))
        elif first not in ("node", "edge", "graph"):
            cluster.nodes[first] = self.attrs()
        else:
            self.attrs()
        self.take(";")

    def attrs(self) -> dict[str, str]:
        found = {}
        if self.peek() == "[":
            self.take()
            while self.peek() != "]":
                key = self.take()
                self.take("=")
                found[key] = self.take()
                if self.peek() == ",":
                    self.take()
            self.take("]")
        return found


def _all_nodes(cluster: Cluster) -> dict[str, dict[str, str]]:
    found = dict(cluster.nodes)
    for child in cluster.clusters:
        found.update(_all_nodes(child))
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_dot_structure_matches_the_definitions(example: Path) -> None:
    defs = _defs(example)
    reader = DotReader(invoke(["graph", "--format", "dot"], example).stdout)
    root = reader.read()
    assert root.attrs.get("compound") == "true"
    assert [c.name for c in root.clusters] == [f"cluster_P_{p}" for p in sorted(defs.pipelines)]
    for cluster, name in zip(root.clusters, sorted(defs.pipelines)):
        p = defs.pipelines[name]
        assert cluster.attrs["label"].startswith(f"{name} (")
        layers = [layer for layer in graph.LAYERS if any(t.layer == layer for t in p.tasks)]
        assert [c.attrs["label"] for c in cluster.clusters] == layers
        for sub in cluster.clusters:
            layer = sub.attrs["label"]
            expected = sorted(graph.task_id(name, t.name) for t in p.tasks if t.layer == layer)
            assert list(sub.nodes) == expected
            assert {n["label"] for n in sub.nodes.values()} == {t.name for t in p.tasks if t.layer == layer}
    nodes = _all_nodes(root)
    solid = {(a, b) for a, b, attrs in reader.edges if "style" not in attrs}
    dashed = [(a, b, attrs) for a, b, attrs in reader.edges if attrs.get("style") == "dashed"]
    assert solid == _expected_edges(defs)
    assert all(a in nodes and b in nodes for a, b, _ in reader.edges)
    links = {(attrs["ltail"].removeprefix("cluster_P_"), attrs["lhead"].removeprefix("cluster_P_"))
             for _, _, attrs in dashed}
    assert links == _expected_links(defs) and len(dashed) == len(links)
    if example.name == "warehouse":
        assert links == {("sales", "finance")}


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_dot_parses_with_pydot(example: Path) -> None:
    import pydot
    (parsed,) = pydot.graph_from_dot_data(invoke(["graph", "--format", "dot"], example).stdout)
    assert parsed.get_name() == "pipec"
    assert len(parsed.get_edges()) == len(_expected_edges(_defs(example))) + len(_expected_links(_defs(example)))


# ---------------------------------------------------------------- mermaid structure


MERMAID_LINE = re.compile(r'^(?P<indent> *)(?:subgraph (?P<sub>\S+?)\["(?P<slabel>[^"]*)"\]|end|direction LR'
                          r'|(?P<node>\S+?)\["(?P<label>[^"]*)"\]|(?P<a>\S+) (?P<arrow>-->|-\.->) (?P<b>\S+))$')


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_mermaid_structure_matches_the_definitions(example: Path) -> None:
    defs = _defs(example)
    lines = invoke(["graph", "--format", "mermaid"], example).stdout.splitlines()
    assert lines[0] == "flowchart LR"
    stack, parents, labels, edges, links = [], {}, {}, set(), set()
    for line in lines[1:]:
        m = MERMAID_LINE.match(line)
        assert m, f"unexpected mermaid line {line!r}"
        assert len(m["indent"]) == 2 * (len(stack) + 1) - (2 if line.strip() == "end" else 0)
        if m["sub"]:
            parents[m["sub"]] = stack[-1] if stack else None
            labels[m["sub"]] = m["slabel"]
            stack.append(m["sub"])
        elif line.strip() == "end":
            stack.pop()
        elif m["node"]:
            assert m["node"] not in parents, "an id is declared twice"
            parents[m["node"]], labels[m["node"]] = stack[-1], m["label"]
        elif m["arrow"] == "-->":
            edges.add((m["a"], m["b"]))
        elif m["arrow"]:
            links.add((m["a"].removeprefix("P_"), m["b"].removeprefix("P_")))
    assert not stack, "unbalanced subgraph/end"
    for p in defs.pipelines.values():
        for t in p.tasks:
            node = graph.task_id(p.name, t.name)
            assert labels[node] == t.name
            assert parents[node] == graph.layer_id(p.name, t.layer)
            assert parents[graph.layer_id(p.name, t.layer)] == graph.pipeline_id(p.name)
        assert parents[graph.pipeline_id(p.name)] is None
    assert edges == _expected_edges(defs)
    assert links == _expected_links(defs)
    assert all(a in parents and b in parents for a, b in edges)


# ---------------------------------------------------------------- escaping


NASTY = 'a"b\\c#d<e>f&g`h\ni]j[k{l}m;n -> o --> p end'


def test_mermaid_label_has_no_raw_specials() -> None:
    label = graph.mermaid_label(NASTY)
    inner = label[1:-1]
    assert label[0] == label[-1] == '"'
    assert not set(inner) & set('"<>`\n')
    assert re.sub(r"#\d+;", "", inner).count("#") == 0


@given(st.text())
def test_dot_string_reads_back(text: str) -> None:
    (kind, value), = _tokens(graph.dot_string(text))
    assert kind == "str" and value == text.replace("\r", "")


def test_escaped_labels_in_both_formats() -> None:
    g = graph.Graph((graph.PipelineNode("p", NASTY, (("bronze", ("t",)),), ()),))
    root = DotReader(graph.to_dot(g)).read()
    assert root.clusters[0].attrs["label"] == NASTY.replace("\r", "")
    mermaid = graph.to_mermaid(g)
    assert mermaid.count("\n") == len(mermaid.splitlines())
    assert all(MERMAID_LINE.match(line) for line in mermaid.splitlines()[1:])


# ---------------------------------------------------------------- options and errors


def test_one_pipeline_leaves_the_others_out() -> None:
    warehouse = next(e for e in EXAMPLES if e.name == "warehouse")
    out = invoke(["graph", "--format", "dot", "--pipeline", "finance"], warehouse)
    assert out.exit_code == 0
    root = DotReader(out.stdout).read()
    assert [c.name for c in root.clusters] == ["cluster_P_finance"]
    assert "P_sales" not in out.stdout and "dashed" not in out.stdout


def test_unknown_pipeline_is_a_usage_error() -> None:
    out = invoke(["graph", "--pipeline", "nope"], EXAMPLES[0])
    assert out.exit_code == 2 and out.stdout == ""
    assert "unknown pipeline `nope`" in out.stderr and "help: pipelines:" in out.stderr


def test_out_writes_the_same_text(tmp_path: Path) -> None:
    target = tmp_path / "g.mmd"
    out = invoke(["graph", "--out", str(target)], EXAMPLES[0])
    assert (out.exit_code, out.stdout) == (0, "")
    assert target.read_text() == invoke(["graph"], EXAMPLES[0]).stdout


def test_errors_are_printed_like_check(tmp_path: Path) -> None:
    (tmp_path / "main.pipe").write_text(
        'import "std/runners"\npipeline p {\n  schedule = manual\n  bronze {\n'
        '    task a = dbt_run(select = "a") after b\n    task b = dbt_run(select = "b") after a\n  }\n}\n')
    out = invoke(["graph", "--color", "never", "main.pipe"], tmp_path)
    check = invoke(["check", "--color", "never", "main.pipe"], tmp_path)
    assert out.exit_code == check.exit_code == 1
    assert out.stdout == check.stdout and "error[" in out.stdout
    assert "error: graph failed" in out.stderr


def test_svg_without_graphviz_exits_2(tmp_path: Path) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    proc = subprocess.run([sys.executable, "-m", "pipec", "graph", "--format", "svg"], cwd=EXAMPLES[0],
                          capture_output=True, text=True, env={**os.environ, "PATH": str(empty)}, timeout=120)
    assert proc.returncode == 2 and proc.stdout == ""
    assert "install Graphviz (apt-get install graphviz) or use --format dot" in proc.stderr


def _fake_dot(folder: Path, script: str) -> None:
    folder.mkdir()
    dot = folder / "dot"
    dot.write_text(f"#!/bin/sh\n{script}\n")
    dot.chmod(0o755)


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for Graphviz")
def test_svg_runs_graphviz_on_the_dot_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dot(tmp_path / "bin", f'echo "$1" > {tmp_path}/args; {CAT} > {tmp_path}/input; printf "<svg/>"')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    target = tmp_path / "g.svg"
    out = invoke(["graph", "--format", "svg", "--out", str(target)], EXAMPLES[0])
    assert out.exit_code == 0, out.stderr
    assert target.read_bytes() == b"<svg/>"
    assert (tmp_path / "args").read_text() == "-Tsvg\n"
    assert (tmp_path / "input").read_text() == invoke(["graph", "--format", "dot"], EXAMPLES[0]).stdout


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands in for Graphviz")
def test_failing_graphviz_exits_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _fake_dot(tmp_path / "bin", f'{CAT} > /dev/null; echo "syntax error" >&2; exit 1')
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    out = invoke(["graph", "--format", "png"], EXAMPLES[0])
    assert out.exit_code == 2 and out.stdout == ""
    assert "syntax error" in out.stderr
