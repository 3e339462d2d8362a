"""SARIF 2.1.0: the report GitHub code scanning (and other SARIF viewers) reads.

One run; `tool.driver.rules` lists every rule code of the table with its description, why it matters and
its documentation link; each finding is a result pointing at its region. Columns count Unicode code points
(`columnKind`), as defaultlint's positions do. A safe or unsafe fix travels as a SARIF `fix`.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING
from urllib.parse import quote

from defaultlint import __version__
from defaultlint.core.ftypes import FileResult, Finding
from defaultlint.formats.ci import notebook_lines
from defaultlint.formats.common import display_path, dumps_indented, edit_positions, rule_url

if TYPE_CHECKING:  # a renderer takes a Table or the RuleFacts of a run served from the cache
    from defaultlint.core.table import Table

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/defaultlint/defaultlint"


def level(code: str) -> str:
    return "error" if code == "DL001" else "warning"


def artifact_uri(path: str) -> str:
    """A relative URI (to the folder defaultlint ran in) when the file is below it, else a file: URI."""
    shown = display_path(path)
    if path == "-":
        return "stdin"
    if os.path.isabs(shown) or shown.startswith(".."):
        return "file://" + quote(os.path.abspath(path).replace(os.sep, "/"))
    return quote(shown.replace(os.sep, "/"))


def rule_descriptor(table: Table, code: str) -> dict:
    c = table.codes[code]
    return {
        "id": c.code,
        "name": c.name,
        "shortDescription": {"text": c.summary},
        "fullDescription": {"text": c.why or c.summary},
        "helpUri": rule_url(table, c.code),
        "help": {"text": f"{c.summary}. {c.why}".strip()},
        "defaultConfiguration": {"enabled": c.default, "level": level(c.code)},
    }


def _region(row: int, column: int, end_row: int, end_column: int) -> dict:
    return {"startLine": row, "startColumn": column, "endLine": end_row, "endColumn": end_column}


def result(f: Finding, table: Table, rule_index: dict[str, int], positions, file_line=None) -> dict:
    uri = artifact_uri(f.path)
    message = f.message if f.cell is None else f"cell {f.cell}: {f.message}"
    region = _region(f.location.row, f.location.column, f.end_location.row, f.end_location.column)
    at = file_line(f.cell, f.location.row) if f.cell is not None and file_line is not None else None
    if at is not None:  # a notebook: the line of the .ipynb file holding the cell's row
        region = {"startLine": at, "endLine": file_line(f.cell, f.end_location.row) or at}
    out: dict = {
        "ruleId": f.code,
        "level": level(f.code),
        "message": {"text": message},
        "locations": [{"physicalLocation": {
            "artifactLocation": {"uri": uri},
            "region": region,
        }}],
    }
    if f.code in rule_index:
        out["ruleIndex"] = rule_index[f.code]
    if f.cell is not None:
        out["properties"] = {"cell": f.cell}
    if f.fixable and f.fix is not None and positions is not None and f.cell is None:
        replacements = []
        for e in f.fix.edits:
            s, t = positions(e.start), positions(e.end)
            replacements.append({"deletedRegion": _region(s.row, s.column, t.row, t.column),
                                 "insertedContent": {"text": e.content}})
        out["fixes"] = [{"description": {"text": f.fix.message},
                         "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}]}]
    return out


def sarif_log(results: list[FileResult], table: Table) -> dict:
    codes = sorted(table.codes)
    rule_index = {c: i for i, c in enumerate(codes)}
    out = []
    for r in results:
        positions = edit_positions(r)
        file_line = notebook_lines(r)
        out.extend(result(f, table, rule_index, positions, file_line) for f in r.findings)
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "defaultlint",
                "version": __version__,
                "informationUri": INFORMATION_URI,
                "rules": [rule_descriptor(table, c) for c in codes],
            }},
            "columnKind": "unicodeCodePoints",
            "results": out,
        }],
    }


def render_sarif(results: list[FileResult], table: Table) -> str:
    return dumps_indented(sarif_log(results, table)) + "\n"
