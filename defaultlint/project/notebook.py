"""Jupyter notebooks: lint the code cells as one module, report by cell, fix only the cells' `source`.

The code cells are joined into one Python text (imports in a cell are visible in later ones). IPython
syntax that is not Python (`%magic`, `%%cell magic`, `!shell`, `x = !cmd`, `obj?`) is masked line by line
with `pass`, so the text parses and every row keeps its place. A finding's `cell` is the 1-based index of
its code cell among the notebook's code cells (as ruff numbers them) and its row and column are within
that cell. A fix rewrites the joined text and puts each changed cell back: only the JSON text of the
changed cells' `source` is replaced, every other byte of the file (metadata, outputs, key order, layout, line
endings, the spelling of numbers) stays as it was found. The comments that mark boundaries and masked lines
in the joined text carry a nonce the notebook does not contain, so no user line can be taken for one.
"""

from __future__ import annotations

import dataclasses
import json
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from defaultlint.core.text import Lines, parse
from defaultlint.core.ftypes import FileResult, Finding, Position


SUFFIX = ".ipynb"
# cell magics whose body IPython runs as Python: the body is checked (as ruff does), only the magic is masked
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug", "python", "python3", "pypy"})
_MAGIC = re.compile(r"^(?P<indent>[ \t]*)(?:[%!?]|[\w.]+[ \t]*=[ \t]*[%!]|\S.*\?\??[ \t]*$)")
_INDENT_LINE = re.compile(r'\n(?P<indent>[ \t]+)"')


class NotebookError(ValueError):
    """The text is not a notebook (not JSON, or no list of cells)."""


def is_notebook(path: str | Path) -> bool:
    return str(path).endswith(SUFFIX)


@dataclass
class Cell:
    index: int  # position among all cells (0-based), to write it back
    number: int  # 1-based position among code cells: what findings report
    text: str  # the cell's source, joined
    first_row: int  # 1-based row of the cell's first line in the joined text
    rows: int  # number of lines the cell takes in the joined text
    magics: set[int]  # 0-based lines of the cell that were masked
    joined_newline: bool = False  # whether joining added a newline after the (masked) cell


class Notebook:
    """A parsed notebook and its code cells joined into one maskable Python text."""

    def __init__(self, raw: str, broken: frozenset[int] = frozenset(), nonce: str | None = None):
        """`broken`: numbers of code cells that do not parse; they are masked whole, so the others are checked.

        The comments that mark cell boundaries and masked lines in the joined text carry a nonce that the
        notebook does not contain, so no line of user code can be taken for one."""
        self.raw = raw
        self.broken = broken
        while nonce is None or nonce in raw:
            nonce = secrets.token_hex(8)
        self.nonce = nonce
        self.boundary = f"# defaultlint-{nonce}-cell"
        self.mask_prefix = f"# defaultlint-{nonce}-line-"
        self.masked_line = re.compile(rf"(?:pass  )?# defaultlint-{nonce}-line-(\d+)$")
        try:
            self.data = json.loads(raw)
        except json.JSONDecodeError as e:
            raise NotebookError(f"not a valid notebook: invalid JSON: {e}") from None
        cells = self.data.get("cells") if isinstance(self.data, dict) else None
        if not isinstance(cells, list):
            raise NotebookError("not a valid notebook: no list of cells")
        self.cells: list[Cell] = []
        parts: list[str] = []
        row = 1
        python = language(self.data) in ("", "python", "python3", "ipython", "ipython3")
        for i, cell in enumerate(cells):
            if not python or not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            text = _joined(cell.get("source", ""))
            masked, magics = mask(text, whole=len(self.cells) + 1 in broken, marker=self.mask_prefix)
            added = not masked.endswith("\n")
            if added:
                masked += "\n"
            n = len(Lines(masked).starts) - 1  # rows as the checker counts them
            self.cells.append(Cell(i, len(self.cells) + 1, text, row, n, magics, added))
            parts.append(masked + self.boundary + "\n")
            row += n + 1
        self.text = "".join(parts)
        self.lines = Lines(self.text)  # rows as the checker counts them

    def cell_at(self, row: int) -> Cell | None:
        for c in self.cells:
            if c.first_row <= row < c.first_row + c.rows:
                return c
        return None

    def locate(self, offset: int) -> tuple[int | None, Position]:
        """(code cell number, position in the cell) of an offset into the joined text."""
        row, col = self.lines.position(offset)
        cell = self.cell_at(row)
        if cell is None:
            return None, Position(row, col)
        return cell.number, Position(row - cell.first_row + 1, col)

    def offset(self, row: int, column: int) -> int:
        """The offset into the joined text of a 1-based row and column."""
        starts = self.lines.starts
        row = max(1, min(row, len(starts)))
        return min(starts[row - 1] + column - 1, len(self.text))

    def line(self, number: int, row: int) -> str | None:
        """Row `row` (1-based) of code cell `number` as written in the notebook."""
        if not 1 <= number <= len(self.cells):
            return None
        lines = self.cells[number - 1].text.splitlines()
        return lines[row - 1] if 1 <= row <= len(lines) else None

    def map_finding(self, f: Finding) -> Finding:
        number, start = self.locate(f.start)
        _, end = self.locate(f.end)
        if f.code == "DL001" and f.start == f.end:
            cell = self.cell_at(f.location.row)
            number = cell.number if cell else None
            start = end = Position(f.location.row - cell.first_row + 1, f.location.column) if cell else f.location
        if end.row < start.row:
            end = start
        return dataclasses.replace(f, location=start, end_location=end, cell=number)

    def with_text(self, fixed: str) -> str:
        """The notebook file's text with the code cells replaced by those of `fixed` (a changed joined text)."""
        chunks = fixed.split(self.boundary + "\n")
        if len(chunks) != len(self.cells) + 1 or chunks[-1]:
            raise NotebookError("the fixed text lost its cell boundaries")
        sources: dict[int, str] = {}
        for cell, chunk in zip(self.cells, chunks):
            new = _unmask(cell, chunk, self.masked_line)
            if new != cell.text:
                sources[cell.index] = new
        return with_sources(self.raw, sources) if sources else self.raw


def language(data: dict) -> str:
    """The notebook's kernel language in lower case ("" when it does not say): only Python is checked."""
    meta = data.get("metadata")
    if not isinstance(meta, dict):
        return ""
    for key, field in (("language_info", "name"), ("kernelspec", "language")):
        value = meta.get(key, {}).get(field) if isinstance(meta.get(key), dict) else None
        if isinstance(value, str) and value:
            return value.lower()
    return ""


def _joined(source) -> str:
    if isinstance(source, list):
        return "".join(str(s) for s in source)
    return str(source or "")


def mask(text: str, whole: bool = False, marker: str = "# defaultlint-line-") -> tuple[str, set[int]]:
    """The cell with its IPython-only lines replaced by numbered `pass` lines (comments after a line
    continuation or in a `%%` cell), and which 0-based lines those were. Rows and indentation are kept."""
    lines = text.split("\n")
    first = lines[0].strip() if lines else ""
    python_magic = first.startswith("%%") and first[2:].split(" ", 1)[0] in PYTHON_CELL_MAGICS
    whole = whole or (first.startswith("%%") and not python_magic)  # %%bash, %%html: another language
    masked: set[int] = set()
    out = []
    continued = False
    for i, line in enumerate(lines):
        if i == 0 and python_magic and not whole:  # %%time: only the magic line is masked, the body is Python
            out.append(f"{marker}{i}")
            masked.add(i)
            continue
        m = None if (whole or continued) else _MAGIC.match(line)
        if whole and not line.strip():
            out.append(line)  # a blank line needs no mask
        elif whole or continued or (m and not line.lstrip().startswith("#")):
            out.append(f"{m.group('indent')}pass  {marker}{i}" if m else f"{marker}{i}")
            masked.add(i)
            continued = not whole and line.rstrip().endswith("\\")
        else:
            out.append(line)
    return "\n".join(out), masked


def _unmask(cell: Cell, chunk: str, masked_line: re.Pattern) -> str:
    """The cell's text from its (possibly fixed) chunk of the joined text, masked lines put back as written."""
    old = cell.text.split("\n")
    lines = chunk.split("\n")
    for k, line in enumerate(lines):
        m = masked_line.search(line)
        if m:
            lines[k] = old[int(m.group(1))]
    text = "\n".join(lines)
    if cell.joined_newline and text.endswith("\n"):
        text = text[:-1]  # the newline the joining added
    return text


def with_sources(raw: str, sources: dict[int, str]) -> str:
    """`raw` (a notebook's JSON text) with the `source` of the cells in `sources` (cell index -> text)
    replaced, and every other byte as it was: layout, key order, line endings and the spelling of numbers
    (1e400 stays 1e400). Each new source keeps the form of the old one (a list of lines or one string) and
    its layout (one line per item, or all on one line)."""
    spans = _source_spans(raw)
    out, pos = [], 0
    for index in sorted(sources):
        if index not in spans:
            raise NotebookError(f"cell {index} has no source to replace")
        start, end = spans[index]
        out.append(raw[pos:start])
        line_start = raw.rfind("\n", 0, start) + 1
        key_indent = re.match(r"[ \t]*", raw[line_start:start]).group(0)  # type: ignore[union-attr]
        out.append(_render_source(raw[start:end], sources[index], raw, key_indent))
        pos = end
    out.append(raw[pos:])
    return "".join(out)


def _render_source(old: str, text: str, raw: str, key_indent: str = "") -> str:
    """The JSON of a cell's new source, in the form and layout of its old JSON `old` (an empty list takes
    the layout of the file: one item per line, one indentation step in, when the file is indented)."""
    ascii_only = raw.isascii() and "\\u" in raw
    if not old.startswith("["):
        return json.dumps(text, ensure_ascii=ascii_only)
    items = [json.dumps(line, ensure_ascii=ascii_only) for line in text.splitlines(keepends=True)]
    unit = _INDENT_LINE.search(raw)
    if old == "[]" and items and unit is not None:
        step = unit.group("indent")
        step = step if set(step) == {"\t"} else " " * _indent_step(raw)
        newline = "\r\n" if "\r\n" in raw else "\n"
        return ("[" + newline + key_indent + step + ("," + newline + key_indent + step).join(items) + newline
                + key_indent + "]")
    inside = re.match(r"\[(\s*)", old).group(1)  # type: ignore[union-attr]
    tail = re.search(r"(\s*)\]$", old).group(1)  # type: ignore[union-attr]
    between = re.search(r'"(\s*,\s*)"', old)
    if between is not None:
        sep = between.group(1)
    elif "\n" in inside:
        sep = "," + inside
    else:
        sep = ", "
    if not items:
        return "[]"
    return "[" + inside + sep.join(items) + tail + "]"


def _indent_step(raw: str) -> int:
    """The number of spaces one nesting level adds in the file (the smallest indentation used)."""
    widths = [len(m.group(1)) for m in re.finditer(r"\n( +)\S", raw)]
    return min(widths) if widths else 1


def _source_spans(raw: str) -> dict[int, tuple[int, int]]:
    """Cell index -> (start, end) of its "source" value in the JSON text, read with positions (the values
    themselves are never converted, so nothing else can change)."""
    pos = _skip(raw, 0)
    if raw[pos:pos + 1] != "{":
        raise NotebookError("not a valid notebook: not a JSON object")
    spans: dict[int, tuple[int, int]] = {}
    members, _ = _object(raw, pos)
    for key, start, end in members:
        if key == "cells" and raw[start] == "[":
            items, _ = _array(raw, start)
            for index, (cstart, _cend) in enumerate(items):
                if raw[cstart] == "{":
                    for ckey, vstart, vend in _object(raw, cstart)[0]:
                        if ckey == "source":
                            spans[index] = (vstart, vend)
    return spans


_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_SCALAR = re.compile(r"-?(?:[0-9][0-9.eE+\-]*|Infinity)|true|false|null|NaN")


def _skip(raw: str, pos: int) -> int:
    return _WS.match(raw, pos).end()  # type: ignore[union-attr]


def _value(raw: str, pos: int) -> int:
    """The end of the JSON value that starts at `pos`."""
    ch = raw[pos:pos + 1]
    if ch == "{":
        return _object(raw, pos)[1]
    if ch == "[":
        return _array(raw, pos)[1]
    if ch == '"':
        return _DECODER.raw_decode(raw, pos)[1]
    m = _SCALAR.match(raw, pos)
    if m is None:
        raise NotebookError(f"not a valid notebook: unexpected {raw[pos:pos + 12]!r}")
    return m.end()


def _object(raw: str, pos: int) -> tuple[list[tuple[str, int, int]], int]:
    """The members (key, value start, value end) of the object at `pos`, and where it ends."""
    members = []
    pos = _skip(raw, pos + 1)
    while raw[pos:pos + 1] != "}":
        key, pos = _DECODER.raw_decode(raw, pos)
        pos = _skip(raw, pos)
        if raw[pos:pos + 1] != ":":
            raise NotebookError("not a valid notebook: a key without a value")
        start = _skip(raw, pos + 1)
        end = _value(raw, start)
        members.append((key, start, end))
        pos = _skip(raw, end)
        if raw[pos:pos + 1] == ",":
            pos = _skip(raw, pos + 1)
        elif raw[pos:pos + 1] != "}":
            raise NotebookError("not a valid notebook: broken object")
    return members, pos + 1


def _array(raw: str, pos: int) -> tuple[list[tuple[int, int]], int]:
    """The items (start, end) of the array at `pos`, and where it ends."""
    items = []
    pos = _skip(raw, pos + 1)
    while raw[pos:pos + 1] != "]":
        end = _value(raw, pos)
        items.append((pos, end))
        pos = _skip(raw, end)
        if raw[pos:pos + 1] == ",":
            pos = _skip(raw, pos + 1)
        elif raw[pos:pos + 1] != "]":
            raise NotebookError("not a valid notebook: broken array")
    return items, pos + 1


# -- what the linter calls -----------------------------------------------------------------------------
def load(path_or_text: str | Path) -> tuple[str, str]:
    """(name, text) from a notebook path or the text itself."""
    if isinstance(path_or_text, Path):
        return str(path_or_text), path_or_text.read_text(encoding="utf-8")
    return "-", path_or_text


def prepare(raw: str, path: str) -> tuple[Notebook, list[Finding]]:
    """The notebook with every code cell that does not parse masked whole, and a DL001 finding for each.

    A cell with a syntax error then hides only itself: the other cells are still checked, with the imports
    of the cells before them. Raises NotebookError when `raw` is not a notebook.
    """
    nb = Notebook(raw)
    errors: list[Finding] = []
    for _ in range(len(nb.cells)):
        _, error = parse(nb.text, path)
        cell = nb.cell_at(error.location.row) if error is not None else None
        if cell is None or cell.number in nb.broken:
            break
        errors.append(nb.map_finding(error))
        nb = Notebook(raw, nb.broken | {cell.number})
    return nb, errors


def lint_text(linter, raw: str, path: str, rules=None) -> list[Finding]:
    """The findings of the notebook text `raw`, each naming its code cell and its row and column there."""
    return lint_joined(linter, raw, path, rules)[1]


def lint_joined(linter, raw: str, path: str, rules=None) -> tuple[Notebook | None, list[Finding]]:
    """The notebook as checked (None when `raw` is not one) and its findings: their `start`, `end` and
    edits stay offsets into the notebook's joined text (`Notebook.locate` places them in a cell)."""
    try:
        nb, errors = prepare(raw, path)
    except NotebookError as e:
        pos = Position(1, 1)
        return None, [Finding("DL001", str(e), path, 0, 0, pos, pos)]
    rules = rules or linter.rules_for(Path(path))
    findings = [nb.map_finding(f) for f in _check(linter, nb.text, path, rules)]
    if "DL001" in rules.enabled:
        findings = errors + findings
    return nb, sorted(findings, key=lambda f: (f.cell or 0, f.location.row, f.location.column, f.code))


def _check(linter, text: str, path: str, rules=None) -> list[Finding]:
    from defaultlint.core.checker import Checker  # imported when checking: rendering a cached result needs none

    return Checker(linter.table, rules or linter.rules_for(Path(path))).check(text, path)


def _fix_python(linter, text: str, path: str, unsafe: bool) -> tuple[str, list[Finding], list[Finding]]:
    """The fix loop over the joined cells: (new text, applied findings, remaining findings)."""
    rules = linter.rules_for(Path(path))
    order = getattr(linter, "_param_order", None)
    from defaultlint.core.fixer import fix_until_stable

    new, applied, remaining, _ = fix_until_stable(text, lambda t: _check(linter, t, path, rules), unsafe, order)
    return new, applied, remaining


def fix_text_detailed(linter, raw: str, path: str, unsafe: bool = False
                      ) -> tuple[str, list[Finding], list[Finding]]:
    """(new notebook text, applied findings, remaining findings): only the changed cells' `source` changes."""
    try:
        nb, _ = prepare(raw, path)
    except NotebookError:
        return raw, [], lint_text(linter, raw, path)
    new, applied, _ = _fix_python(linter, nb.text, path, unsafe)
    if new == nb.text:
        return raw, [], lint_text(linter, raw, path)
    out = nb.with_text(new)
    return out, [nb.map_finding(f) for f in applied], lint_text(linter, out, path)


def fix_text(linter, raw: str, path: str, unsafe: bool = False) -> tuple[str, int, list[Finding]]:
    new, applied, remaining = fix_text_detailed(linter, raw, path, unsafe)
    return new, len(applied), remaining


def lint_notebook(linter, path_or_text: str | Path) -> FileResult:
    name, raw = load(path_or_text)
    return FileResult(name, lint_text(linter, raw, name), source=raw)


def fix_notebook(linter, path_or_text: str | Path, unsafe: bool = False) -> FileResult:
    """The fixed notebook in `fixed_source` (nothing is written)."""
    name, raw = load(path_or_text)
    new, applied, remaining = fix_text(linter, raw, name, unsafe)
    result = FileResult(name, remaining, source=raw, fixes_applied=applied)
    if new != raw:
        result.fixed_source = new
    return result


def add_noqa_text(linter, raw: str, path: str) -> tuple[str, int]:
    """The notebook with `# noqa: CODE` written on the line of each finding, inside its cell (never into the
    JSON text), and how many lines changed."""
    from defaultlint.core.noqa import add_noqa

    nb, findings = lint_joined(linter, raw, path)
    if nb is None:
        return raw, 0
    joined = [dataclasses.replace(f, location=nb.lines.position(f.start)) for f in findings if f.code != "DL001"]
    new, changed = add_noqa(nb.text, joined)
    if not changed:
        return raw, 0
    return nb.with_text(new), changed


def file_lines(raw: str):
    """(code cell number, row in the cell) -> the line of the notebook file that holds that row (1-based),
    for formats that can only point at lines of the file itself (SARIF, GitLab, GitHub). None when it
    cannot be told (not a notebook). A cell whose source is one string maps every row to that string's line."""
    try:
        nb = Notebook(raw)
        spans = _source_spans(raw)
    except (NotebookError, ValueError, IndexError):
        return None
    starts: dict[int, list[int]] = {}
    for cell in nb.cells:
        span = spans.get(cell.index)
        if span is None:
            continue
        start = span[0]
        items = _array(raw, start)[0] if raw[start] == "[" else [(start, span[1])]
        starts[cell.number] = [raw.count("\n", 0, item_start) + 1 for item_start, _ in items]

    def line(number: int | None, row: int) -> int | None:
        lines = starts.get(number or 0)
        if not lines:
            return None
        return lines[min(max(row, 1), len(lines)) - 1]

    return line

