"""Reporting: findings rendered as text (full, concise) or as JSON for other tools to parse."""

from __future__ import annotations

import json
import os
from pathlib import Path

from defaultlint import DOCS_URL
from defaultlint.checker import Lines
from defaultlint.ftypes import FileResult, Finding
from defaultlint.table import Table

FORMATS = ("full", "concise", "json", "json-lines")


def rule_url(table: Table, code: str) -> str:
    c = table.codes.get(code)
    anchor = f"{code}-{c.name}".lower() if c else code.lower()
    return f"{DOCS_URL}#{anchor}"


def display_path(path: str) -> str:
    if path == "-" or not os.path.isabs(path):
        return path
    try:
        return os.path.relpath(path)
    except ValueError:
        return path


def fix_marker(f: Finding) -> str:
    if f.fixable and f.fix and f.fix.applicability == "safe":
        return "[*] "
    return ""


def _cell_label(f: Finding) -> str:
    return f":cell {f.cell}" if f.cell is not None else ""


def concise_line(f: Finding) -> str:
    return (f"{display_path(f.path)}{_cell_label(f)}:{f.location.row}:{f.location.column}: "
            f"{f.code} {fix_marker(f)}{f.message}")


# -- JSON ----------------------------------------------------------------------------------------------
def finding_json(f: Finding, table: Table, lines: Lines | None) -> dict:
    fix = None
    if f.fix is not None:
        edits = []
        if lines is not None:
            for e in f.fix.edits:
                s, t = lines.position(e.start), lines.position(e.end)
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
        lines = Lines(r.fixed_source if r.fixed_source is not None else r.source) if r.source is not None else None
        out.extend(finding_json(f, table, lines) for f in r.findings)
    return out


def render_json(results: list[FileResult], table: Table) -> str:
    return json.dumps(results_json(results, table), indent=2, ensure_ascii=False) + "\n"


def render_json_lines(results: list[FileResult], table: Table) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in results_json(results, table))


# -- text ----------------------------------------------------------------------------------------------
def render_concise(results: list[FileResult]) -> str:
    return "".join(concise_line(f) + "\n" for r in results for f in r.findings)


def print_full(console, results: list[FileResult]) -> None:
    """ruff-like: the header line, the source line with a caret underline, and the fix's help."""
    from rich.markup import escape

    for r in results:
        lines = Lines(r.source) if r.source is not None else None
        for f in r.findings:
            loc = f"{display_path(f.path)}{_cell_label(f)}:{f.location.row}:{f.location.column}:"
            marker = "[cyan][*][/] " if fix_marker(f) else ""
            console.print(f"[bold]{escape(loc)}[/] [bold red]{f.code}[/] {marker}{escape(f.message)}")
            if lines is not None and f.location.row <= len(lines.starts):
                row = f.location.row
                text = lines.line(row).expandtabs(1)
                width = len(str(row))
                pad = " " * width
                start_col = f.location.column - 1
                end_col = f.end_location.column - 1 if f.end_location.row == row else len(text)
                carets = "^" * max(1, end_col - start_col)
                console.print(f"[blue]{pad} |[/]")
                console.print(f"[blue]{row} |[/] {escape(text)}")
                console.print(f"[blue]{pad} |[/] {' ' * start_col}[bold red]{carets}[/] [bold red]{f.code}[/]")
                console.print(f"[blue]{pad} |[/]")
                if f.fix is not None:
                    label = {"safe": "help", "unsafe": "help (unsafe)", "display-only": "note"}[f.fix.applicability]
                    console.print(f"[blue]{pad} =[/] [bold cyan]{label}[/]: {escape(f.fix.message)}")
            console.print()


def summary(results: list[FileResult], fixed: int = 0, show_fix_hint: bool = True) -> str:
    findings = [f for r in results for f in r.findings]
    n = len(findings)
    safe = sum(1 for f in findings if f.fixable and f.fix and f.fix.applicability == "safe")
    unsafe = sum(1 for f in findings if f.fixable and f.fix and f.fix.applicability == "unsafe")
    files = len({f.path for f in findings})
    parts = []
    if fixed:
        parts.append(f"Fixed {fixed} finding{'s' if fixed != 1 else ''}.")
    if n == 0:
        parts.append("All checks passed!" if not fixed else "No findings left.")
        return " ".join(parts)
    parts.append(f"Found {n} finding{'s' if n != 1 else ''} in {files} file{'s' if files != 1 else ''}.")
    if show_fix_hint and safe:
        parts.append(f"[*] {safe} fixable with the `--fix` option.")
    if show_fix_hint and unsafe:
        parts.append(f"{unsafe} more fixable with `--fix --unsafe-fixes`.")
    return " ".join(parts)


def rel(path: Path) -> str:
    return display_path(str(path))
