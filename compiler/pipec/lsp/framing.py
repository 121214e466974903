"""Reading LSP messages from a byte stream without trusting the client's framing.

pygls' own reader believes every ``Content-Length``: a header it cannot read
(``abc``, ``-5``) makes it swallow the next frame, a huge one (``999999999999``)
makes it wait for bytes that never come, and a body that is not JSON, or whose
parameters do not fit the method (a negative position), gets no answer at all.
This reader replaces it for ``pipec lsp``:

- a frame is headers ending in an empty line, then exactly ``Content-Length`` bytes;
- a header block that cannot be read, or a length over ``MAX_BODY``, is dropped and
  answered with a JSON-RPC error (``id`` null, as JSON-RPC says when no id is known);
- bytes that are not a frame (a body without headers, the rest of a dropped frame)
  are skipped up to the next ``Content-Length`` header;
- a body cut short is noticed when the next frame's header shows up inside it: a
  raw header line (with its CR LF) cannot be part of a JSON text, whose strings
  escape line breaks;
- a body that is not JSON gets a parse error, a message that is not JSON-RPC an
  invalid request error, and parameters that do not fit the method an invalid
  params error with the request's id.

The server keeps reading after each of these.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
from dataclasses import dataclass
from typing import Any, BinaryIO

from pygls.exceptions import JsonRpcException, JsonRpcInvalidRequest, JsonRpcParseError

MAX_BODY = 64 * 1024 * 1024  # bytes; a bigger frame is refused
MAX_HEADERS = 8 * 1024  # bytes of headers before the empty line
_HEADER_END = b"\r\n\r\n"
_HEADER_LINE = re.compile(rb"([A-Za-z0-9-]+):[ \t]*([^\r\n]*)")
_FRAME_START = re.compile(rb"(?i)content-(length|type):")
_RAW_HEADER = re.compile(rb"(?i)content-(length|type):[^\r\n]*\r\n")  # never inside a JSON text
_log = logging.getLogger("pipec.lsp")


@dataclass(frozen=True)
class Frame:
    """A complete body, or (``body`` None) bytes that were dropped and why."""

    body: bytes | None
    problem: str = ""


class FrameBuffer:
    """Bytes received so far; ``next()`` takes one frame or one dropped piece off the front."""

    def __init__(self) -> None:
        self.data = bytearray()

    def feed(self, chunk: bytes) -> None:
        self.data += chunk

    def next(self) -> Frame | None:
        """The next frame or dropped piece, or None until more bytes arrive."""
        start = _FRAME_START.search(self.data)
        if start is None:
            return self._garbage(max(0, len(self.data) - 16), "bytes outside a frame")  # keep a partial header
        if start.start() > 0:
            return self._garbage(start.start(), "bytes outside a frame")
        end = self.data.find(_HEADER_END)
        if end < 0:
            if len(self.data) > MAX_HEADERS:
                return self._garbage(self._resync(1), "headers too long")
            return None
        length, problem = _content_length(bytes(self.data[:end]))
        if problem:
            later = _FRAME_START.search(self.data, 1, end)  # a header cut short by the next frame
            return self._garbage(later.start() if later else end + len(_HEADER_END), problem)
        body_start = end + len(_HEADER_END)
        window = self.data[body_start:body_start + length]
        cut = _RAW_HEADER.search(window)
        if cut is not None:
            return self._garbage(body_start + cut.start(), "message body shorter than its Content-Length")
        if len(window) < length:
            return None
        del self.data[:body_start + length]
        return Frame(bytes(window))

    def _garbage(self, upto: int, problem: str) -> Frame | None:
        if upto <= 0:
            return None
        del self.data[:upto]
        return Frame(None, problem)

    def _resync(self, after: int) -> int:
        found = _FRAME_START.search(self.data, after)
        return found.start() if found else len(self.data)


def _content_length(block: bytes) -> tuple[int, str]:
    """The body length a header block announces, or a problem with it."""
    length = None
    for line in block.split(b"\r\n"):
        match = _HEADER_LINE.fullmatch(line)
        if match is None:
            return 0, "malformed header line"
        if match.group(1).lower() == b"content-length":
            value = match.group(2).strip()
            if not value.isdigit():
                return 0, f"Content-Length is not a number of bytes: {value.decode('ascii', 'replace')[:40]!r}"
            length = int(value)
    if length is None:
        return 0, "no Content-Length header"
    if length > MAX_BODY:
        return 0, f"Content-Length {length} is over the limit of {MAX_BODY} bytes"
    return length, ""


# ---------------------------------------------------------------- messages


def handle_body(protocol: Any, body: bytes) -> None:
    """Parse one body and hand it to pygls' protocol; errors are answered, never raised."""
    try:
        raw = json.loads(body)
    except (ValueError, RecursionError) as err:  # not JSON (or not UTF-8)
        reply_error(protocol, None, JsonRpcParseError, f"the message body is not JSON: {err}")
        return
    if not isinstance(raw, dict) or raw.get("jsonrpc") != "2.0" or not _valid_shape(raw):
        reply_error(protocol, _request_id(raw), JsonRpcInvalidRequest, "not a JSON-RPC 2.0 message")
        return
    try:
        message = protocol.structure_message(raw)
    except JsonRpcException as err:  # parameters that do not fit the method
        if "method" in raw and "id" in raw:
            reply_error(protocol, raw["id"], type(err), f"invalid parameters for {raw['method']}")
        else:
            _log.warning("dropped a message that does not fit its method: %s", err)
        return
    protocol.handle_message(message)


def _valid_shape(raw: dict) -> bool:
    if "id" in raw and not (raw["id"] is None or isinstance(raw["id"], (int, str))) or isinstance(raw.get("id"), bool):
        return False
    if "method" in raw:
        return isinstance(raw["method"], str) and isinstance(raw.get("params", {}), (dict, list, type(None)))
    return "id" in raw and ("result" in raw or "error" in raw)


def _request_id(raw: Any) -> int | str | None:
    rid = raw.get("id") if isinstance(raw, dict) else None
    return rid if isinstance(rid, (int, str)) and not isinstance(rid, bool) else None


def reply_error(protocol: Any, rid: int | str | None, kind: type[JsonRpcException], message: str) -> None:
    _log.warning("%s", message)
    error = {"code": kind.CODE, "message": f"{kind.MESSAGE}: {message}"}
    protocol._send_data({"jsonrpc": "2.0", "id": rid, "error": error})


# ---------------------------------------------------------------- the loop


def _reader(stream: BinaryIO):
    """A blocking ``read some bytes`` for the stream (empty at end of input)."""
    if hasattr(stream, "read1"):
        return lambda: stream.read1(65536)
    fd = stream.fileno()
    return lambda: os.read(fd, 65536)


async def serve(stop_event, stream: BinaryIO, protocol: Any, executor=None) -> None:
    """Read frames from ``stream`` and dispatch them until the input ends or the server stops."""
    loop = asyncio.get_running_loop()
    read = _reader(stream)
    frames = FrameBuffer()
    while not stop_event.is_set():
        chunk = await loop.run_in_executor(executor, read)
        if not chunk:
            break
        frames.feed(chunk)
        while (frame := frames.next()) is not None:
            if frame.body is None:
                reply_error(protocol, None, JsonRpcParseError, frame.problem)
                continue
            try:
                handle_body(protocol, frame.body)
            except Exception:  # a bug in a handler pygls did not catch: the next message still comes
                _log.exception("pipec: internal error while handling a message")
