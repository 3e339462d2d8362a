"""JSON and JSON lines: ruff's finding shape, plus `api` and `parameters`."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING

from defaultlint.core.ftypes import FileResult, Finding
from defaultlint.core.text import Lines
from defaultlint.formats.common import dumps_indented, edit_positions, rule_url

if TYPE_CHECKING:  # a renderer takes a Table or the RuleFacts of a run served from the cache
    from defaultlint.core.table import Table


def finding_json(f: Finding, table: Table, positions) -> dict:
    """One finding in ruff's JSON shape, plus `api` and `parameters`. `positions` maps edit offsets (or None)."""
    if isinstance(positions, Lines):
        positions = positions.position
    fix = None
    if f.fix is not None:
        edits = []
        if positions is not None:
            for e in f.fix.edits:
                s, t = positions(e.start), positions(e.end)
                edits.append({
                    "content": e.content,
                    "location": {"row": s.row, "column": s.column},
                    "end_location": {"row": t.row, "column": t.column},
                })
        fix = {"applicability": f.fix.applicability, "message": f.fix.message, "edits": edits}
    return {
        "cell": f.cell,
        "code": f.code,
        "message": f.message,
        "filename": os.path.abspath(f.path) if f.path != "-" else "-",
        "location": {"row": f.location.row, "column": f.location.column},
        "end_location": {"row": f.end_location.row, "column": f.end_location.column},
        "noqa_row": f.location.row,
        "fix": fix,
        "url": rule_url(table, f.code),
        "api": f.api,
        "parameters": [{"name": n, "value": v} for n, v in f.parameters],
    }


def results_json(results: list[FileResult], table: Table) -> list[dict]:
    out = []
    for r in results:
        positions = edit_positions(r)
        out.extend(finding_json(f, table, positions) for f in r.findings)
    return out


def render_json(results: list[FileResult], table: Table) -> str:
    return dumps_indented(results_json(results, table)) + "\n"


def render_json_lines(results: list[FileResult], table: Table) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in results_json(results, table))
