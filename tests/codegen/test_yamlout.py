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
