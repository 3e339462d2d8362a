"""Findings as Language Server Protocol `Diagnostic` objects (plain JSON data, no LSP library needed).

Used by the editor server and by `--output-format lsp`. LSP positions are 0-based lines and columns
counted in code units of the negotiated position encoding (UTF-16 unless agreed otherwise).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Callable

from defaultlint.core.text import Lines
from defaultlint.core.ftypes import FileResult, Finding
from defaultlint.formats.common import dumps_indented, rule_url

if TYPE_CHECKING:  # a renderer takes a Table or the RuleFacts of a run served from the cache
    from defaultlint.core.table import Table

SOURCE = "defaultlint"
SEVERITY_WARNING = 2
UTF8, UTF16, UTF32 = "utf-8", "utf-16", "utf-32"


def code_units(text: str, encoding: str = UTF16) -> int:
    """The length of `text` in the code units of an LSP position encoding."""
    if text.isascii() or encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class Positions:
    """Absolute character offsets of a text <-> LSP positions ({"line", "character"})."""

    def __init__(self, text: str, encoding: str = UTF16):
        self.text = text
        self.encoding = encoding
        self.lines = Lines(text)

    def position(self, offset: int) -> dict:
        offset = max(0, min(offset, len(self.text)))
        row = self.lines.position(offset).row
        start = self.lines.starts[row - 1]
        return {"line": row - 1, "character": code_units(self.text[start:offset], self.encoding)}

    def range(self, start: int, end: int) -> dict:
        return {"start": self.position(start), "end": self.position(end)}

    def offset(self, line: int, character: int) -> int:
        """The offset of an LSP position; positions past a line's end clamp to it (as the protocol says)."""
        if line < 0:
            return 0
        if line >= len(self.lines.starts):
            return len(self.text)
        start = self.lines.starts[line]
        content = self.lines.line(line + 1)
        if content.isascii() or self.encoding == UTF32:
            return start + max(0, min(character, len(content)))
        units = 0
        for i, ch in enumerate(content):
            if units >= character:
                return start + i
            units += code_units(ch, self.encoding)
        return start + len(content)

    def end(self) -> dict:
        return self.position(len(self.text))


def text_edit(positions: Positions, start: int, end: int, new_text: str) -> dict:
    return {"range": positions.range(start, end), "newText": new_text}


def diagnostic(f: Finding, table: Table, positions: Positions | None, data: dict | None = None,
               span: Callable[[int, int], dict] | None = None) -> dict:
    """One finding as an LSP Diagnostic; its fix (when it has one) travels in `data` as exact text edits.

    `span(start, end)` maps the finding's and its edits' offsets to an LSP range; by default `positions`
    does (offsets into the text it measures)."""
    if span is None and positions is not None:
        span = positions.range
    if span is not None:
        rng = span(f.start, f.end)
    else:  # no text to measure against (an unreadable file): the finding's own 1-based location
        start = {"line": f.location.row - 1, "character": f.location.column - 1}
        end = {"line": f.end_location.row - 1, "character": f.end_location.column - 1}
        rng = {"start": start, "end": end}
    fix = None
    if f.fix is not None and f.fixable and span is not None:
        fix = {
            "title": f.fix.message,
            "applicability": f.fix.applicability,
            "edits": [{"range": span(e.start, e.end), "newText": e.content} for e in f.fix.edits],
        }
    return {
        "range": rng,
        "severity": SEVERITY_WARNING,
        "code": f.code,
        "codeDescription": {"href": rule_url(table, f.code)},
        "source": SOURCE,
        "message": f.message,
        "data": {"fix": fix, **(data or {})},
    }


def file_uri(path: str) -> str:
    if path == "-":
        return "untitled:stdin"
    return Path(path).resolve().as_uri()


def results_lsp(results: list[FileResult], table: Table, encoding: str = UTF16) -> list[dict]:
    """One PublishDiagnosticsParams-shaped object ({"uri", "diagnostics"}) per file with findings."""
    out = []
    for r in results:
        if not r.findings:
            continue
        text = r.fixed_source if r.fixed_source is not None else r.source
        positions = Positions(text, encoding) if text is not None else None
        out.append({"uri": file_uri(r.path), "diagnostics": [diagnostic(f, table, positions) for f in r.findings]})
    return out


def lsp_diagnostics_json(results: list[FileResult], table: Table) -> str:
    """The report for `--output-format lsp`: a JSON list of {"uri", "diagnostics": [Diagnostic, ...]}."""
    return dumps_indented(results_lsp(results, table)) + "\n"


def render_lsp(results: list[FileResult], table: Table) -> str:
    text = lsp_diagnostics_json(results, table)
    return text if text.endswith("\n") else text + "\n"
