"""The text a person reads: the full and concise formats, statistics, and the summary line."""

from __future__ import annotations

import json

from typing import TYPE_CHECKING

from defaultlint.core.ftypes import FileResult, Finding
from defaultlint.formats.common import cell_label, concise_line, display_path, fix_marker, printable, source_lines

if TYPE_CHECKING:
    from defaultlint.core.table import Table

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
    """One line per idea: a finding repeated on many calls of a file is one line ending with its other places."""
    out: list[str] = []
    for r in results:
        for f, others in _repeated(r.findings):
            out.append(concise_line(f) + (f" (also {_places(others, same=False)})\n" if others else "\n"))
    return "".join(out)


_STYLES = {"bold": "\x1b[1m", "red": "\x1b[1;31m", "cyan": "\x1b[36m", "blue": "\x1b[34m", "help": "\x1b[1;36m"}
_RESET = "\x1b[0m"
_LABELS = {"safe": "help", "unsafe": "help (unsafe)", "display-only": "note"}


def render_full(results: list[FileResult], color: bool = False, width: int | None = None) -> str:
    """ruff-like: the header line, the source line with a caret underline, and the fix's help. Built as one
    text (colours as ANSI codes when `color`), so that rendering costs about what the concise format costs.
    With a `width` (a terminal's), the `= info:` detail is wrapped to it, continued under its first word."""
    def paint(style: str, text: str) -> str:
        return f"{_STYLES[style]}{text}{_RESET}" if color else text

    parts: dict[str, tuple[str, str]] = {}  # message -> (headline, detail): the same messages recur in every file

    out: list[str] = []
    for r in results:
        line_of = source_lines(r)
        for f, others in _repeated(r.findings):
            loc = f"{display_path(f.path)}{cell_label(f)}:{f.location.row}:{f.location.column}:"
            marker = paint("cyan", "[*]") + " " if fix_marker(f) else ""
            if f.message not in parts:
                parts[f.message] = (f.headline, f.detail)
            headline, detail = parts[f.message]
            out.append(f"{paint('bold', loc)} {paint('red', f.code)} {marker}{printable(headline)}\n")
            shown = line_of(f) if line_of is not None else None
            if shown is not None:
                row = f.location.row
                text = shown.expandtabs(1)
                pad = " " * len(str(row))
                start_col = f.location.column - 1
                end_col = f.end_location.column - 1 if f.end_location.row == row else len(text)
                carets = "^" * max(1, end_col - start_col)
                bar = paint("blue", f"{pad} |")
                out.append(f"{bar}\n{paint('blue', f'{row} |')} {printable(text)}\n"
                           f"{bar} {' ' * start_col}{paint('red', carets)} {paint('red', f.code)}\n{bar}\n")
                if detail:
                    text = _wrap(printable(detail), width, len(pad) + len(" = info: "))
                    out.append(f"{paint('blue', f'{pad} =')} {paint('help', 'info')}: {text}\n")
                if f.fix is not None:
                    label = _LABELS[f.fix.applicability]
                    out.append(f"{paint('blue', f'{pad} =')} {paint('help', label)}: {printable(f.fix.message)}\n")
                if others:
                    out.append(f"{paint('blue', f'{pad} =')} {paint('help', 'also')}: {_places(others)}\n")
            else:
                if detail:
                    out.append(f"  info: {printable(detail)}\n")
                if others:
                    out.append(f"  also: {_places(others)}\n")
            out.append("\n")
    return "".join(out)


SHOWN_PLACES = 12
MIN_WRAP = 30  # narrower than this, wrapping would leave a word or two a line: the text runs on


def _wrap(text: str, width: int | None, indent: int) -> str:
    """`text` broken at spaces into lines of at most `width` columns, the first after `indent` columns of
    label and the others indented as much; a word longer than a line is never split."""
    if width is None or width - indent < MIN_WRAP or indent + len(text) <= width:
        return text
    room = width - indent
    lines, line = [], ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > room:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}" if line else word
    lines.append(line)
    return ("\n" + " " * indent).join(lines)


def _repeated(findings: list[Finding]) -> list[tuple[Finding, list[Finding]]]:
    """Findings of one file grouped by what they say (code, API, parameters, message), in order of first
    appearance: the same implicit default on every layer of a model is one idea, shown once with its places."""
    groups: dict[tuple, tuple[Finding, list[Finding]]] = {}
    for f in findings:
        key = (f.code, f.api, tuple(f.parameters), f.message, f.cell is None)
        if key in groups:
            groups[key][1].append(f)
        else:
            groups[key] = (f, [])
    return list(groups.values())


def _places(findings: list[Finding], same: bool = True) -> str:
    shown = ", ".join(f"{cell_label(f).lstrip(':')}{' ' if f.cell is not None else ''}{f.location.row}:"
                      f"{f.location.column}" for f in findings[:SHOWN_PLACES])
    more = len(findings) - SHOWN_PLACES
    shown += f" and {more} more" if more > 0 else ""
    if not same:
        return shown
    return shown + (" (the same finding)" if len(findings) == 1 else " (the same finding at each)")


def print_full(console, results: list[FileResult]) -> None:
    """render_full on a rich console (colours as the console decides)."""
    console.file.write(render_full(results, color=console.color_system is not None and not console.no_color))


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
