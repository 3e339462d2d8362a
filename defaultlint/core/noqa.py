"""`# noqa`: reading the directives that suppress findings, and writing them (`--add-noqa`).

`# noqa: DL201` (or a bare `# noqa`) on a finding's first line suppresses it; `# defaultlint: noqa` on a
line of its own skips the whole file (`# defaultlint: noqa: DL101` only that code). A directive is written
only on a line that ends outside any string and without a backslash continuation (the tokenizer says where
logical lines end); codes already listed in the line's directive are kept and merged.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict

from defaultlint.core.ftypes import Finding
from defaultlint.core.text import Lines, parses

DIRECTIVE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)
FILE_DIRECTIVE = re.compile(
    r"^#\s*defaultlint:\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?\s*$", re.M)


def file_directive(text: str) -> tuple[bool, set[str]]:
    """(whole file skipped, codes skipped in the whole file) from `# defaultlint: noqa` lines."""
    if "defaultlint:" not in text:
        return False, set()
    m = FILE_DIRECTIVE.search(text)
    if m is None:
        return False, set()
    if not m.group("codes"):
        return True, set()
    return False, set(codes_in(m.group("codes")))


def codes_in(text: str | None) -> list[str]:
    return re.findall(r"[A-Z]+[0-9]+", text or "")


def suppress(findings: list[Finding], text: str, file_codes: set[str]) -> list[Finding]:
    """The findings no `# noqa` directive (on their first line, or for the whole file) suppresses."""
    if not findings:
        return findings
    noqa: dict[int, set[str] | None] = {}
    if "noqa" in text or "NOQA" in text:
        lines = Lines(text)
        for row in {f.location.row for f in findings}:
            m = DIRECTIVE.search(lines.line(row))
            if m:
                noqa[row] = set(codes_in(m.group("codes"))) if m.group("codes") else None
    out = []
    for f in findings:
        if f.code in file_codes:
            continue
        if f.location.row in noqa:
            codes = noqa[f.location.row]
            if codes is None or f.code in codes:
                continue
        out.append(f)
    return out


def commentable_rows(text: str) -> set[int]:
    """Rows whose end is the end of a physical line outside strings (where a comment may be added)."""
    rows: set[int] = set()
    try:
        # universal newlines: rows then count "\r" line ends as the checker's rows do
        for tok in tokenize.generate_tokens(io.StringIO(text, newline=None).readline):
            if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.COMMENT):
                rows.add(tok.start[0])
    except (tokenize.TokenError, SyntaxError):
        return set()
    return rows


def add_noqa(text: str, findings: list[Finding]) -> tuple[str, int]:
    """Return `text` with a `# noqa` directive for every finding, and how many lines were changed."""
    wanted: dict[int, set[str]] = defaultdict(set)
    for f in findings:
        if f.code != "DL001":
            wanted[f.location.row].add(f.code)
    if not wanted:
        return text, 0
    lines = Lines(text)
    allowed = commentable_rows(text)
    out: list[str] = []
    changed = 0
    for row in range(1, len(lines.starts) + 1):
        start = lines.starts[row - 1]
        end = lines.starts[row] if row < len(lines.starts) else len(text)
        raw = text[start:end]
        body = raw.rstrip("\r\n")
        newline = raw[len(body):]
        if row in wanted and row in allowed:
            new_body = _with_directive(body, wanted[row])
            if new_body != body:
                changed += 1
                body = new_body
        out.append(body + newline)
    new = "".join(out)
    if not parses(new):
        return text, 0
    return new, changed


def _with_directive(line: str, codes: set[str]) -> str:
    m = DIRECTIVE.search(line)
    if m is None:
        return f"{line.rstrip()}  # noqa: {', '.join(sorted(codes))}"
    if m.group("codes") is None:
        return line  # a bare `# noqa` already suppresses everything
    present = re.findall(r"[A-Z]+[0-9]+", m.group("codes"))
    merged = present + sorted(c for c in codes if c not in present)
    if merged == present:
        return line
    return line[:m.start()] + "# noqa: " + ", ".join(merged) + line[m.end():]
