"""The editing features of ``pipec lsp`` past diagnostics, hover and outline: completion, find
references, rename, formatting, quick fixes and semantic tokens.

A mixin of ``PipecServer``: each method turns LSP parameters into a question for
the LSP-free modules (``complete``, ``refs``, ``tokens``, ``pipec.fmt``) and
their answers into LSP types. Requests first analyse pending changes, so they
see what the editor shows.
"""

from __future__ import annotations

import re

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException

from pipec.fmt import format_source
from pipec.lsp import refs, tokens
from pipec.lsp.complete import complete
from pipec.lsp.positions import LineIndex

REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was valid, the answer is a refusal
COMPLETION_TRIGGERS = [".", "(", ",", "="]
SEMANTIC_LEGEND = lsp.SemanticTokensLegend(token_types=tokens.TOKEN_TYPES, token_modifiers=tokens.TOKEN_MODIFIERS)

_ITEM_KINDS = {
    "keyword": lsp.CompletionItemKind.Keyword, "field": lsp.CompletionItemKind.Field,
    "parameter": lsp.CompletionItemKind.Variable, "enum value": lsp.CompletionItemKind.EnumMember,
    "runner": lsp.CompletionItemKind.Function, "task": lsp.CompletionItemKind.Method,
    "profile": lsp.CompletionItemKind.Struct, "enum": lsp.CompletionItemKind.Enum,
    "type": lsp.CompletionItemKind.TypeParameter, "tenant": lsp.CompletionItemKind.Module,
    "environment": lsp.CompletionItemKind.Module, "pipeline": lsp.CompletionItemKind.Class,
    "value": lsp.CompletionItemKind.Reference,
}


def _refuse(message: str) -> JsonRpcException:
    return JsonRpcException(message, code=REQUEST_FAILED)


class Features:
    """Request handlers; ``self`` is the ``PipecServer``."""

    def _text_and_index(self, uri: str) -> tuple[str, LineIndex]:
        text = self.workspace.get_text_document(uri).source
        return text, LineIndex(text, self.encoding)

    # ------------------------------------------------------------ completion

    def completion(self, params: lsp.CompletionParams) -> lsp.CompletionList:
        uri = params.text_document.uri
        path = self.path_of(uri)
        self.flush()
        found = self.session.locate(path)
        text, index = self._text_and_index(uri)
        offset = index.offset(params.position.line, params.position.character)
        result, mod = found if found is not None else (None, None)
        program = result.analysis.program if result is not None else None
        items = complete(text, offset, mod, program)
        start = offset
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_."):
            start -= 1
        (l1, c1), (l2, c2) = index.position(start), index.position(offset)
        word = lsp.Range(lsp.Position(l1, c1), lsp.Position(l2, c2))
        out = [lsp.CompletionItem(
            label=item.label, kind=_ITEM_KINDS.get(item.kind, lsp.CompletionItemKind.Text),
            detail=item.detail or None, sort_text=f"{n:04d}",
            text_edit=lsp.TextEdit(word, item.insert or item.label)) for n, item in enumerate(items)]
        return lsp.CompletionList(is_incomplete=False, items=out)

    # ------------------------------------------------------------ references and rename

    def references(self, params: lsp.ReferenceParams) -> list[lsp.Location] | None:
        found = self.lookup(params.text_document.uri, params.position)
        if found is None:
            return None
        result, occ = found
        out = []
        for ref in refs.references(result, occ.target):
            declaration = ref.span == occ.target.span
            if declaration and not params.context.include_declaration:
                continue
            loc = self.location_of(result, ref.span)
            if loc is not None:
                out.append(loc)
        return out

    def prepare_rename(self, params: lsp.PrepareRenameParams) -> lsp.Range | None:
        found = self.lookup(params.text_document.uri, params.position)
        if found is None:
            word = self._word_at(params.text_document.uri, params.position)
            if word in refs.KEYWORDS:
                raise _refuse(f"`{word}` is a keyword and cannot be renamed")
            return None
        result, occ = found
        try:
            refs.check_rename(occ.target)
        except refs.RenameError as err:
            raise _refuse(str(err)) from None
        span = refs._name_span(result, occ, occ.target.name)
        return self.range_of(result, span) if span is not None else None

    def rename(self, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
        found = self.lookup(params.text_document.uri, params.position)
        if found is None:
            word = self._word_at(params.text_document.uri, params.position)
            raise _refuse(f"`{word}` is a keyword and cannot be renamed" if word in refs.KEYWORDS
                          else "there is no name to rename here")
        result, occ = found
        try:
            edits = refs.rename(result, occ.target, params.new_name)
        except refs.RenameError as err:
            raise _refuse(str(err)) from None
        changes: dict[str, list[lsp.TextEdit]] = {}
        for edit in edits:
            real = result.real(edit.span.path)
            if real is not None:
                changes.setdefault(self.uri_of(real), []).append(
                    lsp.TextEdit(self.range_of(result, edit.span), edit.text))
        return lsp.WorkspaceEdit(changes=changes)

    def _word_at(self, uri: str, position: lsp.Position) -> str:
        text, index = self._text_and_index(uri)
        offset = index.offset(position.line, position.character)
        before = re.search(r"[a-z0-9_]*$", text[:offset]).group()
        after = re.match(r"[a-z0-9_]*", text[offset:]).group()
        return before + after

    # ------------------------------------------------------------ formatting

    def formatting(self, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit] | None:
        uri = params.text_document.uri
        text, index = self._text_and_index(uri)
        formatted = format_source(str(self.path_of(uri)), text)
        if not formatted.ok:  # syntax errors: the diagnostics say where; nothing is rewritten
            return None
        if formatted.text == text:
            return []
        line, col = index.position(len(text))
        return [lsp.TextEdit(lsp.Range(lsp.Position(0, 0), lsp.Position(line, col)), formatted.text)]

    # ------------------------------------------------------------ quick fixes

    def code_actions(self, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
        uri = params.text_document.uri
        path = self.path_of(uri)
        self.flush()
        actions = []
        for finding in self.session.findings(path):
            diag, result = finding.diagnostic, finding.result
            if diag.fix is None or result.real(diag.primary.span.path) != path:
                continue
            where = self.range_of(result, diag.primary.span)
            if not _overlaps(where, params.range):
                continue
            span = _fix_span(result.text(diag.primary.span.path), diag.primary.span, diag.fix.old)
            if span is None:
                continue
            edit = lsp.TextEdit(self.range_of(result, span), diag.fix.new)
            actions.append(lsp.CodeAction(
                title=f"Replace `{diag.fix.old}` with `{diag.fix.new}`", kind=lsp.CodeActionKind.QuickFix,
                diagnostics=[d for d in params.context.diagnostics if d.code == diag.code and d.range == where],
                is_preferred=True, edit=lsp.WorkspaceEdit(changes={uri: [edit]})))
        return actions

    # ------------------------------------------------------------ semantic tokens

    def semantic_tokens(self, params: lsp.SemanticTokensParams) -> lsp.SemanticTokens:
        path = self.path_of(params.text_document.uri)
        found = self.located(path)
        if found is None:
            text = self.workspace.get_text_document(params.text_document.uri).source
            return lsp.SemanticTokens(data=tokens.encode(text, tokens.classify(text, [], ""), self.encoding))
        result, mod = found
        text = result.text(mod.path)
        classified = tokens.classify(text, result.index(mod).occurrences, mod.path)
        return lsp.SemanticTokens(data=tokens.encode(text, classified, self.encoding))


def _overlaps(a: lsp.Range, b: lsp.Range) -> bool:
    def key(p: lsp.Position) -> tuple[int, int]:
        return p.line, p.character
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


def _fix_span(text: str, span, old: str):
    """Where ``old`` is written in ``span``: the whole span, or its one occurrence as a name (``${old}``)."""
    written = text[span.start:span.end]
    if written == old:
        return span
    found = list(re.finditer(rf"(?<![A-Za-z0-9_.]){re.escape(old)}(?![A-Za-z0-9_])", written))
    if len(found) != 1:
        return None
    m = found[0]
    return type(span)(span.path, span.start + m.start(), span.start + m.end())


def register(server) -> None:
    """Wire the features of this module into a ``PipecServer``."""

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION, lsp.CompletionOptions(trigger_characters=COMPLETION_TRIGGERS))
    def completion(ls, params: lsp.CompletionParams):
        return ls.guarded(ls.completion, params)

    @server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
    def references(ls, params: lsp.ReferenceParams):
        return ls.guarded(ls.references, params)

    @server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
    def prepare_rename(ls, params: lsp.PrepareRenameParams):
        return ls.guarded(ls.prepare_rename, params)

    @server.feature(lsp.TEXT_DOCUMENT_RENAME, lsp.RenameOptions(prepare_provider=True))
    def rename(ls, params: lsp.RenameParams):
        return ls.guarded(ls.rename, params)

    @server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
    def formatting(ls, params: lsp.DocumentFormattingParams):
        return ls.guarded(ls.formatting, params)

    @server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                    lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
    def code_action(ls, params: lsp.CodeActionParams):
        return ls.guarded(ls.code_actions, params)

    @server.feature(lsp.TEXT_DOCUMENT_SEMANTIC_TOKENS_FULL, SEMANTIC_LEGEND)
    def semantic_tokens(ls, params: lsp.SemanticTokensParams):
        return ls.guarded(ls.semantic_tokens, params)
