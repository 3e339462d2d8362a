"""`--add-noqa`: suppress each finding by writing `# noqa: CODE` at the end of its line.

A directive goes only on a line that ends outside any string and without a backslash continuation (the
tokenizer says where logical lines end); codes already listed in the line's directive are kept and merged.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict

from defaultlint.core.checker import Lines
from defaultlint.core.fixer import parses
from defaultlint.core.ftypes import Finding

_DIRECTIVE = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.I)


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
    m = _DIRECTIVE.search(line)
    if m is None:
        return f"{line.rstrip()}  # noqa: {', '.join(sorted(codes))}"
    if m.group("codes") is None:
        return line  # a bare `# noqa` already suppresses everything
    present = re.findall(r"[A-Z]+[0-9]+", m.group("codes"))
    merged = present + sorted(c for c in codes if c not in present)
    if merged == present:
        return line
    return line[:m.start()] + "# noqa: " + ", ".join(merged) + line[m.end():]
