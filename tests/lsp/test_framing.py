"""Malformed frames and impossible positions never stop `pipec lsp` from answering (issue 7).

Each test sends something broken to a real server process, then a valid request,
and expects a valid answer to it: the broken input got an error response or was dropped.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsp_client import LspClient, uri
from lsp_support import MAIN, find

from pipec.lsp.framing import MAX_BODY, MAX_HEADERS, FrameBuffer

BODY = json.dumps({"jsonrpc": "2.0", "id": 9999, "method": "textDocument/hover",
                   "params": {"textDocument": {"uri": "file:///nowhere.pipe"},
                              "position": {"line": 0, "character": 0}}}).encode()

BAD_FRAMES = {
    "length not a number": b"Content-Length: abc\r\n\r\n" + BODY,
    "negative length": b"Content-Length: -5\r\n\r\n" + BODY,
    "huge length": b"Content-Length: 999999999999\r\n\r\n" + BODY,
    "no header": BODY,
    "no content-length": b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n" + BODY,
    "header line without colon": b"Content-Length 12\r\n\r\n" + BODY,
    "truncated body": b"Content-Length: %d\r\n\r\n" % (len(BODY) + 40) + BODY[:-20],
    "invalid json": b"Content-Length: 13\r\n\r\n{not json at}",
    "not utf-8": b"Content-Length: 4\r\n\r\n\xff\xfe\xfd\xfc",
    "json but not json-rpc": b"Content-Length: 2\r\n\r\n[]",
    "request without version": b'Content-Length: 29\r\n\r\n{"id": 5, "method": "foo/bar"}',
    "empty body": b"Content-Length: 0\r\n\r\n",
    "stray line breaks": b"\r\n\r\n\r\n",
}


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    """A server with one document open: (client, path)."""
    root = tmp_path_factory.mktemp("framing")
    (root / "pipec.toml").write_text('entry = ["main.pipe"]\n', encoding="utf-8")
    (root / "tenants.pipe").write_text("tenant acme {\n  schema = \"acme\"\n  namespace = \"tenant-acme\"\n"
                                       "  quota = { cpu = \"4\", memory = \"16Gi\", pods = 10 }\n"
                                       "  secret source = k8s_secret(\"acme-source\", key = \"dsn\")\n"
                                       "  secret warehouse = k8s_secret(\"acme-warehouse\", key = \"dsn\")\n}\n",
                                       encoding="utf-8")
    main = root / "main.pipe"
    main.write_text(MAIN, encoding="utf-8")
    client = LspClient(root)
    try:
        client.initialize(root)
        mark = client.mark()
        client.open(main)
        client.diagnostics(main, mark)
        yield client, main
    finally:
        client.kill()


def _still_answers(client: LspClient, main: Path) -> None:
    line, col = find(MAIN, "postgres_extract", within=2)
    hover = client.at("textDocument/hover", main, line, col)
    assert "runner postgres_extract" in hover["contents"]["value"]
    assert client.proc.poll() is None


@pytest.mark.parametrize("frame", list(BAD_FRAMES.values()), ids=list(BAD_FRAMES))
def test_a_bad_frame_then_a_valid_request_gets_a_valid_answer(opened, frame):
    client, main = opened
    client.send_raw(frame)
    _still_answers(client, main)
    with client._cond:  # whatever the server said about the bad frame, it never answered the lost request
        assert 9999 not in client._responses
        errors = [client._responses.pop(None)] if None in client._responses else []
    for error in errors:
        assert error["error"]["code"] in (-32700, -32600)


def test_invalid_json_gets_a_parse_error_response(opened):
    client, main = opened
    client.send_raw(b"Content-Length: 13\r\n\r\n{not json at}")
    error = client.response(None)
    assert error["error"]["code"] == -32700 and error["id"] is None
    _still_answers(client, main)


def test_parameters_that_do_not_fit_get_invalid_params_with_the_request_id(opened):
    client, main = opened
    response = client.respond("textDocument/hover", {"textDocument": {"uri": uri(main)},
                                                     "position": {"line": -1, "character": -4}})
    assert response["error"]["code"] == -32602
    _still_answers(client, main)


POSITIONS = [(0, 10_000), (10_000, 0), (2**31 - 1, 2**31 - 1), (MAIN.count("\n"), 0), (MAIN.count("\n") + 1, 3)]
METHODS = ["textDocument/hover", "textDocument/definition", "textDocument/completion",
           "textDocument/references", "textDocument/prepareRename"]


@pytest.mark.parametrize("line,character", POSITIONS)
@pytest.mark.parametrize("method", METHODS)
def test_positions_past_the_end_or_on_missing_lines_are_answered(opened, method, line, character):
    client, main = opened
    params = {"textDocument": {"uri": uri(main)}, "position": {"line": line, "character": character}}
    if method == "textDocument/references":
        params["context"] = {"includeDeclaration": True}
    response = client.respond(method, params)
    # an answer, or a refusal a user can read (there is no renaming an import): never an internal error
    assert "result" in response or response["error"]["code"] == -32803, response
    _still_answers(client, main)


def test_frames_split_anywhere_arrive_whole():
    frame = b"Content-Length: %d\r\n\r\n" % len(BODY) + BODY
    for cut in range(1, len(frame)):
        buf = FrameBuffer()
        buf.feed(frame[:cut])
        got = buf.next()
        buf.feed(frame[cut:])
        got = got or buf.next()
        assert got is not None and got.body == BODY, cut
        assert buf.next() is None


def test_a_body_that_contains_header_text_in_a_string_is_not_cut():
    body = json.dumps({"jsonrpc": "2.0", "method": "x", "params": {"text": "Content-Length: 5\r\n\r\n"}}).encode()
    buf = FrameBuffer()
    buf.feed(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    assert buf.next().body == body


def test_an_oversized_length_is_refused_without_waiting_for_the_bytes():
    buf = FrameBuffer()
    buf.feed(b"Content-Length: %d\r\n\r\n{}" % (MAX_BODY + 1))
    dropped = buf.next()
    assert dropped.body is None and "over the limit" in dropped.problem


# ---------------------------------------------------------------- any bytes


_NOT_A_HEADER = st.binary(max_size=80).map(lambda b: b.replace(b"c", b"x").replace(b"C", b"X"))


def _drain(buf: FrameBuffer) -> list:
    out = []
    while (frame := buf.next()) is not None:
        out.append(frame)
    return out


@given(junk=st.lists(_NOT_A_HEADER, min_size=3, max_size=3), bodies=st.lists(st.binary(max_size=60), min_size=2,
                                                                               max_size=2),
       cuts=st.lists(st.integers(min_value=1, max_value=40), max_size=12))
def test_frames_between_junk_arrive_whole_in_order_however_the_bytes_are_cut(junk, bodies, cuts):
    stream = junk[0]
    for body, after in zip(bodies, junk[1:]):
        stream += b"Content-Length: %d\r\n\r\n" % len(body) + body + after
    buf, got, at = FrameBuffer(), [], 0
    for size in cuts + [len(stream)]:
        buf.feed(stream[at:at + size])
        at += size
        got += _drain(buf)
    assert [f.body for f in got if f.body is not None] == bodies


@given(data=st.binary(max_size=400), cuts=st.lists(st.integers(min_value=1, max_value=64), max_size=16))
def test_any_bytes_never_raise_and_never_pile_up(data, cuts):
    buf, at = FrameBuffer(), 0
    for size in cuts + [len(data)]:
        buf.feed(data[at:at + size])
        at += size
        _drain(buf)
    # what is kept is the start of a frame still coming, or a tail short enough to be the start of its header
    assert len(buf.data) <= 16 or re.match(rb"(?i)content-(length|type):", bytes(buf.data))
    if b"\r\n\r\n" not in bytes(buf.data):  # no header is complete: it is within the limit
        assert len(buf.data) <= MAX_HEADERS
