"""What every output format shares: paths and rule links as users read them, fix markers, and the
source line or edit position of a finding (cell-relative in notebooks)."""

from __future__ import annotations

import functools
import os
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from defaultlint import DOCS_URL
from defaultlint.core.ftypes import FileResult, Finding

if TYPE_CHECKING:
    from defaultlint.core.table import Table

# Notebooks and line tables are imported where used: the text formats of a run served from the cache
# render plain .py files without importing the checker.
NOTEBOOK_SUFFIX = ".ipynb"


class CodeFacts(NamedTuple):
    """What the output formats say of a rule code: its name (in its link), summary, why it matters and
    whether the default selection holds it. The fields carry the names of the table's `Code`'s."""

    code: str
    name: str
    summary: str
    why: str
    default: bool


class RuleFacts:
    """The codes of a table as the output formats read them (`codes`: code -> CodeFacts): a renderer takes
    a `Table` or this, which a run served from the cache rebuilds from its signed plan without loading the
    table."""

    def __init__(self, codes: dict[str, CodeFacts]):
        self.codes = codes

    @classmethod
    def of(cls, table: Table) -> RuleFacts:
        return cls({c.code: CodeFacts(c.code, c.name, c.summary, c.why, c.default) for c in table.codes.values()})

    def dump(self) -> list:
        """JSON data: one [code, name, summary, why, default] per code, in the table's order."""
        return [list(c) for c in self.codes.values()]

    @classmethod
    def load(cls, data) -> RuleFacts | None:
        """The facts `dump` wrote, or None when `data` has another shape."""
        if not isinstance(data, list):
            return None
        codes = {}
        for row in data:
            if not (isinstance(row, list) and len(row) == 5 and all(isinstance(v, str) for v in row[:4])
                    and isinstance(row[4], bool)):
                return None
            codes[row[0]] = CodeFacts(*row)
        return cls(codes)


def rule_url(table: Table | RuleFacts, code: str) -> str:
    c = table.codes.get(code)
    anchor = f"{code}-{c.name}".lower() if c else code.lower()
    return f"{DOCS_URL}#{anchor}"


_CONTROL = {c: f"\\x{c:02x}" for c in (*range(0x00, 0x09), *range(0x0a, 0x20), 0x7f, *range(0x80, 0xa0))}
# marks that reorder or break the text a terminal shows (bidirectional overrides and isolates, line and
# paragraph separators): a line could show code other than what it holds
_CONTROL.update({c: f"\\u{c:04x}" for c in (0x200e, 0x200f, 0x2028, 0x2029, *range(0x202a, 0x202f),
                                              *range(0x2066, 0x206a))})


def printable(text: str) -> str:
    """`text` with control characters written as escapes (\\x1b): a file name or source line never moves
    the cursor, sets the terminal's title, clears the screen or reorders what is shown. Tabs stay."""
    return text.translate(_CONTROL) if not text.isprintable() else text


@functools.lru_cache(maxsize=4096)
def display_path(path: str) -> str:
    """A path as the user should read it: relative to the working directory when it lies below it, with
    control characters escaped."""
    if path != "-" and os.path.isabs(path):
        try:
            path = os.path.relpath(path)
        except ValueError:
            pass
    return printable(path)


def fix_marker(f: Finding) -> str:
    if f.fixable and f.fix and f.fix.applicability == "safe":
        return "[*] "
    return ""


def cell_label(f: Finding) -> str:
    return f":cell {f.cell}" if f.cell is not None else ""


def concise_line(f: Finding) -> str:
    """path:row:col: CODE [*] headline (the detail is in the full format and the machine formats)."""
    return (f"{display_path(f.path)}{cell_label(f)}:{f.location.row}:{f.location.column}: "
            f"{f.code} {fix_marker(f)}{printable(f.headline)}")


def edit_positions(r: FileResult):
    """offset -> Position for the fix edits of `r`'s findings (cell-relative in notebooks), or None."""
    text = r.fixed_source if r.fixed_source is not None else r.source
    if text is None:
        return None
    from defaultlint.core.text import Lines
    from defaultlint.project import notebook

    if notebook.is_notebook(r.path):
        try:
            nb = notebook.Notebook(text)
        except notebook.NotebookError:
            return None
        return lambda offset: nb.locate(offset)[1]
    return Lines(text).position


def source_lines(r: FileResult):
    """finding -> the source line it starts on (the cell's line in notebooks), or None when unknown. After
    fixing, the findings left are those of the fixed text, and so are their lines."""
    text = r.fixed_source if r.fixed_source is not None else r.source
    if text is None:
        return None
    if str(r.path).endswith(NOTEBOOK_SUFFIX):
        from defaultlint.project import notebook

        try:
            nb = notebook.Notebook(text)
        except notebook.NotebookError:
            return None
        return lambda f: nb.line(f.cell, f.location.row) if f.cell is not None else None
    if "\r" not in text:  # the common case: one split in C instead of an offset per line
        rows = text.split("\n")
        return lambda f: rows[f.location.row - 1] if 0 < f.location.row <= len(rows) else None
    from defaultlint.core.text import Lines

    lines = Lines(text)
    return lambda f: lines.line(f.location.row) if f.location.row <= len(lines.starts) else None


def rel(path: Path) -> str:
    return display_path(str(path))


def dumps_indented(data) -> str:
    """`json.dumps(data, indent=2, ensure_ascii=False)`, in a fraction of its time: the standard library
    writes indented JSON with its pure-Python encoder (its C encoder writes only compact JSON), a generator
    per value, which made encoding most of the time of a run served from the cache. Strings go through the C
    string encoder; anything but dicts with string keys, lists, strings, ints, bools and None is left to
    `json.dumps`."""
    import json
    from json.encoder import encode_basestring

    out: list[str] = []
    add = out.append

    def value(o, pad: str) -> None:
        t = type(o)
        if t is str:
            add(encode_basestring(o))
        elif t is dict:
            if not o:
                add("{}")
                return
            inner = pad + "  "
            first = True
            for k, v in o.items():
                if type(k) is not str:
                    raise _Unusual
                add(("{\n" if first else ",\n") + inner + encode_basestring(k) + ": ")
                first = False
                value(v, inner)
            add("\n" + pad + "}")
        elif t is list or t is tuple:
            if not o:
                add("[]")
                return
            inner = pad + "  "
            first = True
            for v in o:
                add(("[\n" if first else ",\n") + inner)
                first = False
                value(v, inner)
            add("\n" + pad + "]")
        elif o is None:
            add("null")
        elif o is True:
            add("true")
        elif o is False:
            add("false")
        elif t is int:
            add(int.__repr__(o))
        elif isinstance(o, str):  # a str enum (a fix's applicability) is written as its text
            add(encode_basestring(o))
        elif isinstance(o, int) and not isinstance(o, bool):
            add(int.__repr__(o))
        else:
            raise _Unusual

    try:
        value(data, "")
    except _Unusual:
        return json.dumps(data, indent=2, ensure_ascii=False)
    return "".join(out)


class _Unusual(Exception):
    """A value `dumps_indented` leaves to the standard library."""
