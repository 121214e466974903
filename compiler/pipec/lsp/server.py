"""The language server (``pipec lsp``): pygls over stdio, a thin front end over the session.

Diagnostics are published on open, save and change (changes are debounced a
little so typing does not analyse every keystroke; a hover or definition request
analyses first when a change is pending). Nothing a user writes ends the server:
a compiler bug is logged through ``window/logMessage`` and the request answers
nothing.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import logging
import sys
import threading
import traceback
from pathlib import Path

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

import pipec
from pipec.diagnostics import Diagnostic, Sink
from pipec.lsp import framing
from pipec.lsp.describe import OutlineItem, hover_markdown, outline
from pipec.lsp.features import Features, register
from pipec.lsp.index import Occurrence
from pipec.lsp.positions import LineIndex
from pipec.lsp.session import Finding, Result, Session
from pipec.source import Span
from pipec.syntax.parser import parse_module

DEBOUNCE = 0.2  # seconds of quiet after a change before it is analysed
COLLECT_EVERY = 32  # analyses between two full garbage collections (see PipecServer.settle)
UNTITLED = Path.cwd() / ".pipec-untitled"

_SYMBOL_KINDS = {
    "platform": lsp.SymbolKind.Namespace, "environment": lsp.SymbolKind.Module,
    "profile": lsp.SymbolKind.Struct, "enum": lsp.SymbolKind.Enum, "enum value": lsp.SymbolKind.EnumMember,
    "runner": lsp.SymbolKind.Function, "tenant": lsp.SymbolKind.Object, "pipeline": lsp.SymbolKind.Class,
    "dbt": lsp.SymbolKind.Package,
    "task": lsp.SymbolKind.Method, "secret": lsp.SymbolKind.Key,
}
_UNNECESSARY = {"W103"}  # shown faded by editors


class PipecServer(Features, LanguageServer):
    """pygls server holding the session, the URIs of open documents and pending analyses."""

    def __init__(self) -> None:
        super().__init__("pipec", pipec.__version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.session = Session(log=self.log_error)
        self.uris: dict[Path, str] = {}  # open documents: path -> the URI the client used
        self.pending: dict[Path, asyncio.TimerHandle] = {}
        self.published: dict[Path, tuple] = {}
        self.bases: dict[Path, tuple] = {}  # what the published diagnostics of each file were made from
        self.analyses = 0

    def start_io(self, stdin=None, stdout=None) -> None:
        """Serve over stdio with pipec's frame reader (``pipec.lsp.framing``) instead of pygls' own."""
        self._stop_event = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        try:
            asyncio.run(framing.serve(self._stop_event, stdin or sys.stdin.buffer, self.protocol, self.thread_pool))
        except BrokenPipeError:
            logging.getLogger("pipec.lsp").error("the connection to the client is lost")
        except (KeyboardInterrupt, SystemExit):
            pass
        finally:
            self.shutdown()

    # ------------------------------------------------------------ paths and positions

    def path_of(self, uri: str) -> Path:
        fs = to_fs_path(uri)
        if fs is None:  # an unsaved, untitled buffer: a path of its own that no file has
            name = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in uri.split(":", 1)[-1])
            return UNTITLED / f"{name}.pipe"
        return Path(fs).resolve()

    def uri_of(self, path: Path) -> str:
        return self.uris.get(path) or from_fs_path(str(path))

    @property
    def encoding(self) -> str:
        kind = self.workspace.position_encoding or lsp.PositionEncodingKind.Utf16
        return getattr(kind, "value", kind)  # negotiated at initialize: utf-16 unless the client prefers another

    def range_of(self, result: Result, span: Span) -> lsp.Range:
        return _range(_line_index(result.text(span.path), self.encoding), span)

    def location_of(self, result: Result, span: Span) -> lsp.Location | None:
        real = result.real(span.path)
        return lsp.Location(self.uri_of(real), self.range_of(result, span)) if real is not None else None

    def log_error(self, message: str) -> None:
        logging.getLogger("pipec.lsp").error(message)
        try:
            self.window_log_message(lsp.LogMessageParams(type=lsp.MessageType.Error, message=message))
        except Exception:  # not connected yet, or the connection is gone: stderr has it
            pass

    # ------------------------------------------------------------ diagnostics

    def analyse(self, path: Path) -> None:
        """Analyse the project of ``path`` now and publish what changed."""
        handle = self.pending.pop(path, None)
        if handle is not None:
            handle.cancel()
        self.publish(self.session.refresh(path), always=path)
        self.settle()

    def settle(self) -> None:
        """Keep Python's cycle collector off what the analyses keep (the memo tables, syntax
        trees): a full collection walks all of it, a quarter of a second at 50 tenants, every
        few edits. What is kept is frozen after each analysis; every ``COLLECT_EVERY``
        analyses, after the diagnostics are out, the garbage cycles of the last ones are freed."""
        self.analyses += 1
        if self.analyses % COLLECT_EVERY == 0:
            gc.unfreeze()
            gc.collect()
        gc.freeze()

    def schedule(self, path: Path) -> None:
        handle = self.pending.pop(path, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        self.pending[path] = loop.call_later(DEBOUNCE, lambda: self.guarded(self.analyse, path))

    def flush(self) -> None:
        """Analyse the pending changes now (a request must see what the editor shows)."""
        for path in sorted(self.pending):
            self.analyse(path)

    def publish(self, paths: set[Path], always: Path | None = None) -> None:
        for path in sorted(paths | ({always} if always else set())):
            findings = self.session.findings(path)
            basis = self.basis(findings)
            if path != always and self.bases.get(path) == basis:
                continue  # the same findings over the same texts: nothing to convert, nothing new
            self.bases[path] = basis
            diags = [self.diagnostic(f) for f in findings]
            fingerprint = tuple(repr(d) for d in diags)
            if path != always and self.published.get(path, ()) == fingerprint:
                continue
            self.published[path] = fingerprint
            version = self.workspace.get_text_document(self.uris[path]).version if path in self.uris else None
            self.text_document_publish_diagnostics(
                lsp.PublishDiagnosticsParams(uri=self.uri_of(path), diagnostics=diags, version=version))

    def basis(self, findings: list[Finding]) -> tuple:
        """Everything ``diagnostic`` reads: the findings and, for each file their labels are
        in, its text (positions) and its URI."""
        out = []
        for finding in findings:
            diag, result = finding.diagnostic, finding.result
            shown = sorted({diag.primary.span.path} | {lab.span.path for lab in diag.secondary})
            out.append((diag, tuple((p, result.text(p), self.uri_of(real) if (real := result.real(p)) else None)
                                    for p in shown)))
        return tuple(out)

    def diagnostic(self, finding: Finding) -> lsp.Diagnostic:
        diag, result = finding.diagnostic, finding.result
        related = [lsp.DiagnosticRelatedInformation(loc, lab.message or "related")
                   for lab in diag.secondary if (loc := self.location_of(result, lab.span)) is not None]
        return lsp.Diagnostic(
            range=self.range_of(result, diag.primary.span),
            message=_message(diag),
            severity=lsp.DiagnosticSeverity.Error if diag.severity.value == "error" else lsp.DiagnosticSeverity.Warning,
            code=diag.code,
            source="pipec",
            related_information=related or None,
            tags=[lsp.DiagnosticTag.Unnecessary] if diag.code in _UNNECESSARY else None,
        )

    def guarded(self, fn, *args):
        """Run a handler; a compiler bug is logged and answered with nothing, a refusal is an error."""
        try:
            return fn(*args)
        except JsonRpcException:  # a refusal with a message for the user (rename a keyword)
            raise
        except Exception:
            self.log_error(f"pipec: internal error:\n{traceback.format_exc()}")
            return None

    # ------------------------------------------------------------ requests

    def located(self, path: Path):
        """The current analysis of ``path`` and its module, analysing it first if needed."""
        self.flush()
        found = self.session.locate(path)
        if found is None:
            self.analyse(path)
            found = self.session.locate(path)
        return found

    def lookup(self, uri: str, position: lsp.Position) -> tuple[Result, Occurrence] | None:
        """The analysis of a document and the name under the cursor, if it names something."""
        found = self.located(self.path_of(uri))
        if found is None:
            return None
        result, mod = found
        offset = _line_index(result.text(mod.path), self.encoding).offset(position.line, position.character)
        occ = result.index(mod).at(offset)
        return (result, occ) if occ is not None else None

    def hover(self, params: lsp.HoverParams) -> lsp.Hover | None:
        found = self.lookup(params.text_document.uri, params.position)
        if found is None:
            return None
        result, occ = found
        target = occ.target
        text = hover_markdown(target, lambda span: result.text(span.path)[span.start:span.end])
        return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=text),
                         range=self.range_of(result, occ.span))

    def definition(self, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        found = self.lookup(params.text_document.uri, params.position)
        if found is None:
            return None
        result, occ = found
        target = occ.target
        return [lsp.Location(self.uri_of(target.module.real), self.range_of(result, target.span))]

    def symbols(self, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        doc = self.workspace.get_text_document(params.text_document.uri)
        path = self.path_of(params.text_document.uri)
        text = doc.source
        module = parse_module(str(path), text, Sink())
        index = LineIndex(text, self.encoding)
        return [_symbol(item, index) for item in outline(module)]


def _message(diag: Diagnostic) -> str:
    lines = [diag.message]
    if diag.primary.message:
        lines.append(diag.primary.message)
    if diag.help:
        lines.append(f"help: {diag.help}")
    lines += [f"note: {note}" for note in diag.notes]
    return "\n".join(lines)


@functools.lru_cache(maxsize=64)
def _line_index(text: str, encoding: str) -> LineIndex:
    return LineIndex(text, encoding)


def _range(index: LineIndex, span: Span) -> lsp.Range:
    (l1, c1), (l2, c2) = index.position(span.start), index.position(span.end)
    return lsp.Range(lsp.Position(l1, c1), lsp.Position(l2, c2))


def _symbol(item: OutlineItem, index: LineIndex) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(
        name=item.name or "?", kind=_SYMBOL_KINDS.get(item.kind, lsp.SymbolKind.Variable), detail=item.detail,
        range=_range(index, item.span), selection_range=_range(index, item.selection),
        children=[_symbol(child, index) for child in item.children] or None)


def build() -> PipecServer:
    server = PipecServer()

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: PipecServer, params: lsp.DidOpenTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        ls.uris[path] = params.text_document.uri
        ls.session.buffers[path] = params.text_document.text
        ls.guarded(ls.analyse, path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: PipecServer, params: lsp.DidChangeTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        ls.session.buffers[path] = ls.workspace.get_text_document(params.text_document.uri).source
        ls.schedule(path)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: PipecServer, params: lsp.DidSaveTextDocumentParams) -> None:
        ls.guarded(ls.analyse, ls.path_of(params.text_document.uri))

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: PipecServer, params: lsp.DidCloseTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        handle = ls.pending.pop(path, None)
        if handle is not None:
            handle.cancel()
        ls.session.buffers.pop(path, None)
        ls.guarded(lambda: ls.publish(ls.session.close(path)))
        ls.uris.pop(path, None)

    @server.feature(lsp.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: PipecServer, params: lsp.DidChangeWatchedFilesParams) -> None:
        ls.guarded(lambda: ls.publish(ls.session.refresh_all()))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: PipecServer, params: lsp.HoverParams) -> lsp.Hover | None:
        return ls.guarded(ls.hover, params)

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: PipecServer, params: lsp.DefinitionParams) -> list[lsp.Location] | None:
        return ls.guarded(ls.definition, params)

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def document_symbol(ls: PipecServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol] | None:
        return ls.guarded(ls.symbols, params)

    register(server)
    return server


def serve() -> None:
    """Run the server over stdin/stdout until the client says exit."""
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="pipec lsp: %(levelname)s: %(message)s")
    build().start_io()
