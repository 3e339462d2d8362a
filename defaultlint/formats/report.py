"""Reporting: findings rendered as text (full, concise) or as JSON for other tools to parse."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

from defaultlint import DOCS_URL
from defaultlint.project import notebook
from defaultlint.core.text import Lines
from defaultlint.core.ftypes import FileResult, Finding
from defaultlint.core.table import Table

FORMATS = ("full", "concise", "json", "json-lines", "github", "gitlab", "sarif", "junit", "lsp")
# formats written whole by `render` (full and concise are printed by the CLI with its summary)
MACHINE_FORMATS = ("json", "json-lines", "github", "gitlab", "sarif", "junit", "lsp")


def rule_url(table: Table, code: str) -> str:
    c = table.codes.get(code)
    anchor = f"{code}-{c.name}".lower() if c else code.lower()
    return f"{DOCS_URL}#{anchor}"


@functools.lru_cache(maxsize=4096)
def display_path(path: str) -> str:
    """A path as the user should read it: relative to the working directory when it lies below it."""
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
def edit_positions(r: FileResult):
    """offset -> Position for the fix edits of `r`'s findings (cell-relative in notebooks), or None."""
    text = r.fixed_source if r.fixed_source is not None else r.source
    if text is None:
        return None
    if notebook.is_notebook(r.path):
        try:
            nb = notebook.Notebook(text)
        except notebook.NotebookError:
            return None
        return lambda offset: nb.locate(offset)[1]
    return Lines(text).position


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
    return json.dumps(results_json(results, table), indent=2, ensure_ascii=False) + "\n"


def render_json_lines(results: list[FileResult], table: Table) -> str:
    return "".join(json.dumps(d, ensure_ascii=False) + "\n" for d in results_json(results, table))


def render(fmt: str, results: list[FileResult], table: Table) -> str:
    """The whole report in one of MACHINE_FORMATS."""
    if fmt == "json":
        return render_json(results, table)
    if fmt == "json-lines":
        return render_json_lines(results, table)
    if fmt == "sarif":
        from defaultlint.formats.sarif import render_sarif
        return render_sarif(results, table)
    if fmt == "lsp":
        from defaultlint.formats.lsp import lsp_diagnostics_json
        text = lsp_diagnostics_json(results, table)
        return text if text.endswith("\n") else text + "\n"
    from defaultlint.formats import ci as ci_formats
    if fmt == "github":
        return ci_formats.render_github(results)
    if fmt == "gitlab":
        return ci_formats.render_gitlab(results)
    if fmt == "junit":
        return ci_formats.render_junit(results)
    raise ValueError(f"unknown output format {fmt!r}")


# -- statistics ----------------------------------------------------------------------------------------
def _safe(f: Finding) -> bool:
    return f.fixable and f.fix is not None and f.fix.applicability == "safe"


def statistics(results: list[FileResult], table: Table) -> list[dict]:
    """Findings counted per code, most frequent first: code, rule name, count, how many `--fix` fixes
    (`fixable`) and how many more only `--fix --unsafe-fixes` does (`unsafe_fixable`)."""
    counts: dict[str, list[int]] = {}
    for r in results:
        for f in r.findings:
            c = counts.setdefault(f.code, [0, 0, 0])
            c[0] += 1
            c[1] += _safe(f)
            c[2] += f.fixable and not _safe(f)
    rows = sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    return [{"code": code, "name": table.codes[code].name if code in table.codes else "", "count": n,
             "fixable": safe, "unsafe_fixable": unsafe} for code, (n, safe, unsafe) in rows]


def render_statistics(results: list[FileResult], table: Table, fmt: str = "full") -> str:
    """`--statistics`: a JSON list for the JSON formats, else one line per code (`[*]`: all fixable by --fix)."""
    rows = statistics(results, table)
    if fmt in ("json", "json-lines"):
        return json.dumps(rows, indent=2 if fmt == "json" else None) + "\n"
    if not rows:
        return ""
    width = max(len(str(r["count"])) for r in rows)
    out = []
    for r in rows:
        mark = "[*]" if r["fixable"] == r["count"] else "   "
        out.append(f"{r['count']:>{width}}\t{r['code']}\t{mark} {r['name']}\n")
    safe, unsafe = sum(r["fixable"] for r in rows), sum(r["unsafe_fixable"] for r in rows)
    if safe:
        out.append(f"{safe} fixable with the `--fix` option.\n")
    if unsafe:
        out.append(f"{unsafe} more fixable with `--fix --unsafe-fixes`.\n")
    return "".join(out)


# -- text ----------------------------------------------------------------------------------------------
def render_concise(results: list[FileResult]) -> str:
    return "".join(concise_line(f) + "\n" for r in results for f in r.findings)


def source_lines(r: FileResult):
    """finding -> the source line it starts on (the cell's line in notebooks), or None when unknown."""
    if r.source is None:
        return None
    if notebook.is_notebook(r.path):
        try:
            nb = notebook.Notebook(r.source)
        except notebook.NotebookError:
            return None
        return lambda f: nb.line(f.cell, f.location.row) if f.cell is not None else None
    lines = Lines(r.source)
    return lambda f: lines.line(f.location.row) if f.location.row <= len(lines.starts) else None


def print_full(console, results: list[FileResult]) -> None:
    """ruff-like: the header line, the source line with a caret underline, and the fix's help."""
    from rich.markup import escape

    for r in results:
        line_of = source_lines(r)
        for f in r.findings:
            loc = f"{display_path(f.path)}{_cell_label(f)}:{f.location.row}:{f.location.column}:"
            marker = "[cyan][*][/] " if fix_marker(f) else ""
            console.print(f"[bold]{escape(loc)}[/] [bold red]{f.code}[/] {marker}{escape(f.message)}")
            shown = line_of(f) if line_of is not None else None
            if shown is not None:
                row = f.location.row
                text = shown.expandtabs(1)
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
