"""A small JSON-RPC client that drives `pipec lsp` as a subprocess over stdio.

Messages are framed with ``Content-Length`` headers as LSP says. A reader thread
collects everything the server sends; requests wait for their response, and
notifications (publishDiagnostics, logMessage) are kept so a test can wait for
the one it expects. Requests from the server to the client are answered with null.
"""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable

TIMEOUT = 15.0


def uri(path: Path) -> str:
    return path.resolve().as_uri()


class LspClient:
    def __init__(self, cwd: Path, command: list[str] | None = None) -> None:
        command = command or [sys.executable, "-m", "pipec", "lsp"]
        self.proc = subprocess.Popen(command, cwd=cwd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self._next_id = 0
        self._responses: dict[int, dict] = {}
        self._cond = threading.Condition()
        self.notifications: list[dict] = []
        self.stderr: list[str] = []
        self._write_lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._drain_stderr, daemon=True).start()

    # ------------------------------------------------------------ wire

    def _send(self, message: dict) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        with self._write_lock:
            self.proc.stdin.write(f"Content-Length: {len(body)}\r\n\r\n".encode("ascii") + body)
            self.proc.stdin.flush()

    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are, framed or not (for the framing robustness tests)."""
        with self._write_lock:
            self.proc.stdin.write(data)
            self.proc.stdin.flush()

    def _read(self) -> None:
        stream = self.proc.stdout
        while True:
            headers = {}
            while True:
                line = stream.readline()
                if not line:
                    return
                line = line.decode("ascii").strip()
                if not line:
                    break
                key, _, value = line.partition(":")
                headers[key.strip().lower()] = value.strip()
            message = json.loads(stream.read(int(headers["content-length"])).decode("utf-8"))
            self._dispatch(message)

    def _dispatch(self, message: dict) -> None:
        if "method" in message and "id" in message:  # a request from the server
            self._send({"id": message["id"], "result": None})
            return
        with self._cond:
            if "id" in message:
                self._responses[message["id"]] = message
            else:
                self.notifications.append(message)
            self._cond.notify_all()

    def _drain_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line.decode("utf-8", "replace"))

    # ------------------------------------------------------------ API

    def request(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> Any:
        response = self.respond(method, params, timeout)
        if "error" in response:
            raise RuntimeError(f"{method} failed: {response['error']}")
        return response["result"]

    def respond(self, method: str, params: Any = None, timeout: float = TIMEOUT) -> dict:
        """The whole response message to a request (``result`` or ``error``)."""
        self._next_id += 1
        rid = self._next_id
        self._send({"id": rid, "method": method, "params": params})
        return self.response(rid, timeout)

    def response(self, rid: Any, timeout: float = TIMEOUT) -> dict:
        """Wait for the response with id ``rid`` (None: an error the server could not tie to a request)."""
        with self._cond:
            if not self._cond.wait_for(lambda: rid in self._responses, timeout):
                raise TimeoutError(f"no response to {rid}; server stderr:\n{''.join(self.stderr)}")
            return self._responses.pop(rid)

    def notify(self, method: str, params: Any = None) -> None:
        self._send({"method": method, "params": params})

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = TIMEOUT, after: int = 0) -> dict:
        """The first notification (from index ``after`` on) that matches."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for note in self.notifications[after:]:
                    if predicate(note):
                        return note
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no matching notification; got {self.notifications!r}\n"
                                       f"server stderr:\n{''.join(self.stderr)}")
                self._cond.wait(left)

    def mark(self) -> int:
        """The index of the next notification: pass to ``wait_for(after=...)``."""
        with self._cond:
            return len(self.notifications)

    # ------------------------------------------------------------ LSP helpers

    def initialize(self, root: Path, **capabilities: Any) -> dict:
        result = self.request("initialize", {"processId": None, "rootUri": uri(root),
                                             "capabilities": capabilities or {}})
        self.notify("initialized", {})
        return result

    def diagnostics(self, path: Path, after: int = 0, timeout: float = TIMEOUT) -> list[dict]:
        """The next diagnostics published for ``path``."""
        note = self.wait_for(lambda n: n.get("method") == "textDocument/publishDiagnostics"
                             and n["params"]["uri"] == uri(path), timeout, after)
        return note["params"]["diagnostics"]

    def open(self, path: Path, text: str | None = None, version: int = 1) -> None:
        text = path.read_text(encoding="utf-8") if text is None else text
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri(path), "languageId": "pipe",
                                                              "version": version, "text": text}})

    def change(self, path: Path, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {"textDocument": {"uri": uri(path), "version": version},
                                               "contentChanges": [{"text": text}]})

    def at(self, method: str, path: Path, line: int, character: int) -> Any:
        return self.request(method, {"textDocument": {"uri": uri(path)},
                                     "position": {"line": line, "character": character}})

    def shutdown(self, timeout: float = TIMEOUT) -> int:
        self.request("shutdown")
        self.notify("exit")
        return self.proc.wait(timeout)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
