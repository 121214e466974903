"""yamlout's direct writer, libyaml (CSafeDumper) and the pure-Python emitter write the same bytes.

``yamlout.dump_all`` writes documents of codegen's plain shape itself
(``yamlout.direct``) and takes libyaml only for documents ``libyaml_safe``
accepts; these tests hold both promises against PyYAML's pure emitter on random
data, on long keys near the simple-key limits, and on every YAML file of the goldens.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from pipec.codegen import yamlout

GOLDEN = Path(__file__).parent / "golden"
TRICKY = ["y", "N", "0o17", "+1.5E3", "0b1_0", "1_000", "2024-1-2", "yes", "No", "~", "null", "1.0", "0x1F", "-", "- a", "a: b", "#x", "[a]", "{a}", "&a", "*a", "!a",
          "|", ">", "%a", "@a", "`a", '"a"', "'a'", " a", "a ", "2024-01-01", "1e3", ".inf", "? a", "",
          "a\nb", "\r", "\u2028", "\x85", "\ufeff", "\U0001f600", "caf\u00e9", "\t"]

text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=30),
                 st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=200))
scalars = st.one_of(text, st.integers(), st.booleans(), st.none(), st.floats(allow_nan=False))
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                           st.dictionaries(text, inner, max_size=4)),
                         max_leaves=30)


# Strings PyYAML writes on one line (no line break but the YAML 1.1 ones it escapes).
one_line = st.one_of(st.sampled_from([t for t in TRICKY if "\n" not in t]),
                     st.text(st.characters(blacklist_characters="\n"), max_size=40),
                     st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=130),
                     st.text(st.sampled_from("-?:,[]{}#&*!|>'\"%@`~=<. aZ09yYnN\t\r"), max_size=6))
keys = one_line.filter(lambda k: 0 < len(k) < 100 and not any(c in k for c in "\x85\u2028\u2029"))  # simple keys
shaped = st.recursive(st.one_of(one_line, st.integers(), st.booleans(), st.none()),
                      lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
                      max_leaves=30)


@settings(max_examples=600)
@given(st.lists(st.dictionaries(keys, shaped, min_size=1, max_size=5), min_size=1, max_size=3))
def test_direct_writer_takes_one_line_documents_and_writes_what_pyyaml_writes(docs):
    assert yamlout.direct(docs) == yamlout.dump_all(docs, pure=True).decode("utf-8")


@settings(max_examples=400)
@given(st.lists(documents, min_size=1, max_size=3))
def test_direct_writer_writes_what_pyyaml_writes_or_declines(docs):
    text = yamlout.direct(docs)
    assert text is None or text == yamlout.dump_all(docs, pure=True).decode("utf-8")


def test_direct_writer_declines_what_it_does_not_write():
    for doc in ({}, [], "a", 1, {"a": 1.5}, {"a": ("b",)}, {1: "a"}, {"": 1}, {"a": "b\nc"}, {"a\nb": 1},
                {"k" * 130: 1}, {"a": {1: 2, "b": 3}}):
        assert yamlout.direct([doc]) is None, doc
        assert yamlout.direct([{"x": [doc]}]) is None or doc in ({}, [], "a", 1), doc
    assert yamlout.direct([]) is None


@pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML without libyaml")
@settings(max_examples=400)
@given(st.lists(st.dictionaries(text, documents, max_size=5), min_size=1, max_size=3))
def test_libyaml_and_pure_emitters_agree(docs):
    assert yamlout.dump_all(docs) == yamlout.dump_all(docs, pure=True)


@pytest.mark.skipif(not hasattr(yaml, "CSafeDumper"), reason="PyYAML without libyaml")
def test_long_keys_around_the_simple_key_limit_agree():
    for n in range(1, 300):
        for key in ("a" * n, "a b" * (n // 3), "'a" * (n // 2)):
            doc = {key: {key: [key, {key: 1}]}}
            assert yamlout.dump(doc) == yamlout.dump_all([doc], pure=True), n
            assert yamlout.direct([doc]) in (None, yamlout.dump_all([doc], pure=True).decode("utf-8")), n


def test_safe_documents_are_printable_ascii_with_short_keys():
    assert yamlout.libyaml_safe({"a": ["b", 1, True, None, 1.5, {"c": "d e"}]})
    assert not yamlout.libyaml_safe({"a": "caf\u00e9"})
    assert not yamlout.libyaml_safe({"a": ["b\nc"]})
    assert not yamlout.libyaml_safe({"k" * 64: 1})
    assert not yamlout.libyaml_safe({1: "a"})
    assert not yamlout.libyaml_safe({"": "a"})


@pytest.mark.parametrize("path", sorted(GOLDEN.rglob("*.yaml")), ids=lambda p: str(p.relative_to(GOLDEN)))
def test_golden_yaml_is_what_both_emitters_write(path):
    docs = list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    assert yamlout.dump_all(docs) == path.read_bytes()
    assert yamlout.dump_all(docs, pure=True) == path.read_bytes()
    # Only documents with multi-line strings (in hostile/) are left to PyYAML.
    multiline = any("\n" in s for s in _strings(docs))
    assert yamlout.direct(docs) == (None if multiline else path.read_text(encoding="utf-8"))


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


# Skeletons: a document shape whose leaves are constants or holes (Hole(i) stands for value i).
class Hole(int):
    pass


HOLES = 4
leaf = st.one_of(one_line, st.integers(), st.booleans(), st.none(), st.builds(Hole, st.integers(0, HOLES - 1)))
shapes = st.dictionaries(keys, st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, min_size=1, max_size=4), st.dictionaries(keys, inner, min_size=1, max_size=4)), max_leaves=20),
    min_size=1, max_size=5)
hole_values = st.one_of(one_line, st.sampled_from(TRICKY), st.text(max_size=20), st.integers(), st.booleans(), st.none(),
                        st.floats(allow_nan=False), st.sampled_from(yamlout._holes(HOLES, 0) + yamlout._holes(HOLES, 1)))


def _build(shape):
    def build(values):
        def put(node):
            if type(node) is Hole:
                return values[node]
            if isinstance(node, dict):
                return {key: put(value) for key, value in node.items()}
            if isinstance(node, list):
                return [put(item) for item in node]
            return node
        return put(shape)
    return build


@settings(max_examples=250)
@given(shapes, st.lists(st.lists(hole_values, min_size=HOLES, max_size=HOLES), min_size=1, max_size=4))
def test_a_filled_skeleton_is_what_the_writers_write_for_the_document(shape, documents_values):
    build = _build(shape)
    cut = yamlout.skeleton(build, HOLES)
    # declined only when the shape itself is (a constant the direct writer does not write)
    assert (cut is None) == (yamlout.direct([build(yamlout._holes(HOLES, 0))]) is None)
    for values in documents_values:
        document = build(values)
        written = yamlout.direct([document])
        if cut is not None:
            assert cut.fill(values) == written
        if written is not None:
            assert written == yamlout.dump_all([document], pure=True).decode("utf-8")
            assert yaml.safe_load(written) == document


def test_a_skeleton_declines_values_the_direct_writer_does_not_write():
    build = lambda values: {"a": values[0], "b": [values[1], {"c": values[0]}]}  # noqa: E731
    cut = yamlout.skeleton(build, 2)
    assert cut is not None
    assert cut.fill(["x", 1]) == "a: x\nb:\n- 1\n- c: x\n"
    assert cut.fill(["x: y", "- z\n"]) is None  # multi-line
    for other in (1.5, ["x"], {"x": 1}, ("x",)):
        assert cut.fill(["x", other]) is None
    # a value standing in a shape's place: no cut reaches beyond its scalar
    assert cut.fill(["'\"\n", "a"]) is None
    assert cut.fill(["b\nc: d", "a"]) is None
    assert cut.fill(["a: {b: c}", "#"]) == "a: 'a: {b: c}'\nb:\n- '#'\n- c: 'a: {b: c}'\n"


def test_a_skeleton_is_not_cut_inside_other_strings():
    hole, other = yamlout._holes(1, 0)[0], yamlout._holes(8, 0)[7]
    for constant in (hole, f"x {hole}", f"{hole}x", f"- {hole}", f"'{hole}'", other):
        for document in ({"a": constant, "b": "?"}, {"a": [constant], "b": "?"}, {"a": {constant: 1}, "b": "?"}):
            build = lambda values, document=document: {**document, "b": values[0]}  # noqa: E731
            assert yamlout.direct([build(["v"])]) is not None
            assert yamlout.skeleton(build, 1) is None, (constant, document)  # left to dump
    assert yamlout.skeleton(lambda values: {"a": values[0]}, 1).fill(["v"]) == "a: v\n"
    # a value also standing as a key (where it would be written as a key) is not cut
    assert yamlout.skeleton(lambda values: {"a": {values[0]: values[0]}}, 1) is None
    assert yamlout.skeleton(lambda values: [{values[0]: 1}], 1) is None
    assert yamlout.skeleton(lambda values: {"a": "b\nc", "d": values[0]}, 1) is None
