"""Language server latency: from an edit of one tenant's file to its diagnostics.

Drives ``pipec lsp`` over stdio with the test suite's JSON-RPC client. Each edit
is a ``didChange`` followed by ``didSave`` (a save analyses at once; a change
alone waits for the server's typing debounce, reported separately), and the
latency is the time until ``publishDiagnostics`` for that file arrives; the
server's CPU time per edit is read from /proc (robust on a shared machine).
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

import generate

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "lsp"))
from lsp_client import LspClient, uri  # noqa: E402


def _cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def latency(root: Path, shape: generate.Shape, edits: int, python: str, src: Path | None) -> dict:
    """Median seconds from edit to diagnostics over ``edits`` edits (the first open reported apart)."""
    saved = os.environ.get("PYTHONPATH")
    if src is not None:
        os.environ["PYTHONPATH"] = str(src)
    try:
        client = LspClient(root, [python, "-m", "pipec", "lsp"])
    finally:
        if src is not None:
            os.environ.pop("PYTHONPATH") if saved is None else os.environ.__setitem__("PYTHONPATH", saved)
    try:
        client.request("initialize", {"processId": None, "rootUri": uri(root), "capabilities": {}}, timeout=300)
        client.notify("initialized", {})
        i = shape.tenants // 2
        path = root / "tenants" / f"{generate.tenant_name(i)}.pipe"
        start = time.perf_counter()
        client.open(path)
        client.diagnostics(path, timeout=300)
        first = time.perf_counter() - start
        samples, cpu = [], []
        for n in range(edits):
            text = generate.tenant_file(i, shape, edit=n + 1)
            mark = client.mark()
            before = _cpu(client.proc.pid)
            start = time.perf_counter()
            client.change(path, text, version=n + 2)
            client.notify("textDocument/didSave", {"textDocument": {"uri": uri(path)}})
            client.diagnostics(path, after=mark, timeout=300)
            samples.append(time.perf_counter() - start)
            cpu.append(_cpu(client.proc.pid) - before)
        try:
            client.shutdown(timeout=120)
        except TimeoutError:  # a slow exit on a busy machine does not void the figures
            pass
    finally:
        client.kill()
    return {"open": first, "edit": statistics.median(samples), "edit_cpu": statistics.median(cpu), "edits": edits,
            "tenants": shape.tenants}
