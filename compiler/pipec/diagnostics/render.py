"""Renderers: text (rustc-style), json, sarif and github workflow commands.

Every renderer takes the sorted diagnostics and a ``SourceMap`` for line/column
and source lines; none of them changes the diagnostics.
"""

from __future__ import annotations

import json

from pipec.diagnostics.codes import CODES
from pipec.diagnostics.core import Diagnostic, Label
from pipec.source import SourceFile, SourceMap, Span


def _position(sources: SourceMap, span: Span) -> tuple[int, int, int, int]:
    src = sources.get(span.path)
    if src is None:
        return 1, 1, 1, 1
    line, col = src.line_col(span.start)
    end_line, end_col = src.line_col(span.end)
    return line, col, end_line, end_col


# ---------------------------------------------------------------- text


def render_text(diags: list[Diagnostic], sources: SourceMap, color: bool = False) -> str:
    return "".join(_text_one(d, sources, color) + "\n" for d in diags)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if color else text


def _text_one(diag: Diagnostic, sources: SourceMap, color: bool) -> str:
    sev = diag.severity.value
    head = _paint(f"{sev}[{diag.code}]", "1;31" if sev == "error" else "1;33", color)
    labels = _ordered([(diag.primary, True)] + [(lab, False) for lab in diag.secondary])
    width = max(len(str(_position(sources, lab.span)[0])) for lab, _ in labels)
    out = [f"{head}: {_paint(diag.message, '1', color)}"]
    if all(sources.get(lab.span.path) is None for lab, _ in labels):
        # no text to show (the command line, or a file that cannot be read): no position either
        if not diag.primary.span.path.startswith("<"):
            out.append(f"{' ' * width}--> {diag.primary.span.path}")
        return "\n".join(out + _footer(diag, width))
    shown_path, shown_line = None, None
    for lab, primary in labels:
        line, col, _, _ = _position(sources, lab.span if shown_path is not None else diag.primary.span)
        arrow = "-->" if shown_path is None else ":::"
        if lab.span.path != shown_path:
            out.append(f"{' ' * width}{arrow} {lab.span.path}:{line}:{col}")
            out.append(f"{' ' * width} |")
            shown_path, shown_line = lab.span.path, None
        snippet = _snippet(sources.get(lab.span.path), lab, primary, width)
        label_line = _position(sources, lab.span)[0]
        # several labels on one line: show the line once, one marker line per label
        out.extend(snippet[1:] if label_line == shown_line else snippet)
        shown_line = label_line
    out.append(f"{' ' * width} |")
    return "\n".join(out + _footer(diag, width))


def _footer(diag: Diagnostic, width: int) -> list[str]:
    lines = [f"{' ' * width} = help: {diag.help}"] if diag.help else []
    return lines + [f"{' ' * width} = note: {note}" for note in diag.notes]


def _ordered(labels: list[tuple[Label, bool]]) -> list[tuple[Label, bool]]:
    """The primary label's file first, then by file; by position inside a file."""
    first = labels[0][0].span.path
    return sorted(labels, key=lambda item: (item[0].span.path != first, item[0].span.path, item[0].span.start))


def _snippet(src: SourceFile | None, lab: Label, primary: bool, width: int) -> list[str]:
    if src is None:
        return []
    line, col, end_line, end_col = (*src.line_col(lab.span.start), *src.line_col(lab.span.end))
    text = src.line_text(line)
    stop = end_col if end_line == line else len(text) + 1
    pad = "".join("\t" if ch == "\t" else " " for ch in text[: col - 1])
    marker = ("^" if primary else "-") * max(1, stop - col)
    tail = f" {lab.message}" if lab.message else ""
    return [f"{line:>{width}} | {text}", f"{' ' * width} | {pad}{marker}{tail}"]


# ---------------------------------------------------------------- json


def _json_label(lab: Label, sources: SourceMap) -> dict:
    line, col, end_line, end_col = _position(sources, lab.span)
    return {"file": lab.span.path, "line": line, "column": col, "end_line": end_line,
            "end_column": end_col, "message": lab.message}


def to_dict(diag: Diagnostic, sources: SourceMap) -> dict:
    line, col, end_line, end_col = _position(sources, diag.primary.span)
    return {
        "code": diag.code,
        "name": CODES[diag.code].name,
        "severity": diag.severity.value,
        "message": diag.message,
        "file": diag.primary.span.path,
        "line": line,
        "column": col,
        "end_line": end_line,
        "end_column": end_col,
        "label": diag.primary.message,
        "help": diag.help,
        "notes": list(diag.notes),
        "secondary": [_json_label(lab, sources) for lab in diag.secondary],
    }


def render_json(diags: list[Diagnostic], sources: SourceMap) -> str:
    items = [to_dict(d, sources) for d in diags]
    errors = sum(1 for d in items if d["severity"] == "error")
    doc = {"diagnostics": items, "errors": errors, "warnings": len(items) - errors}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- sarif


def render_sarif(diags: list[Diagnostic], sources: SourceMap) -> str:
    used = sorted({d.code for d in diags})
    rules = [{"id": c, "name": CODES[c].name, "shortDescription": {"text": CODES[c].summary},
              "fullDescription": {"text": CODES[c].explanation}} for c in used]
    results = [_sarif_result(d, sources) for d in diags]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "pipec", "rules": rules}}, "results": results}],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _sarif_result(diag: Diagnostic, sources: SourceMap) -> dict:
    line, col, end_line, end_col = _position(sources, diag.primary.span)
    message = diag.message + (f"\nhelp: {diag.help}" if diag.help else "")
    region = {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col}
    result = {"ruleId": diag.code, "level": diag.severity.value, "message": {"text": message}}
    if sources.get(diag.primary.span.path) is not None:  # command-line problems have no location
        result["locations"] = [{"physicalLocation": {"artifactLocation": {"uri": diag.primary.span.path},
                                                     "region": region}}]
    return result


# ---------------------------------------------------------------- github


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def render_github(diags: list[Diagnostic], sources: SourceMap) -> str:
    out = []
    for d in diags:
        line, col, end_line, end_col = _position(sources, d.primary.span)
        props = (f"file={_gh_escape(d.primary.span.path, True)},line={line},col={col},"
                 f"endLine={end_line},endColumn={end_col},title={d.code}")
        msg = d.message + (f"\nhelp: {d.help}" if d.help else "")
        out.append(f"::{d.severity.value} {props}::{_gh_escape(msg)}\n")
    return "".join(out)


RENDERERS = {"json": render_json, "sarif": render_sarif, "github": render_github}


def render(fmt: str, diags: list[Diagnostic], sources: SourceMap, color: bool = False) -> str:
    if fmt == "text":
        return render_text(diags, sources, color)
    return RENDERERS[fmt](diags, sources)
