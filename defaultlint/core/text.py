"""Source text: parsing it, and turning ast's (row, UTF-8 byte column) into character offsets and back."""

from __future__ import annotations

import ast
import bisect
import re
import warnings

from defaultlint.core.ftypes import Finding, Position

_NEWLINE = re.compile(r"\r\n|\r|\n")


class Lines:
    """Offsets of line starts, to turn ast's (line, UTF-8 byte column) into characters and back."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def offset(self, lineno: int, byte_col: int) -> int:
        start = self.starts[lineno - 1]
        end = self.starts[lineno] if lineno < len(self.starts) else len(self.text)
        line = self.text[start:end]
        if line.isascii():
            return start + byte_col
        return start + len(line.encode("utf-8")[:byte_col].decode("utf-8", errors="replace"))

    def span(self, node: ast.expr) -> tuple[int, int]:
        """The character offsets of a node."""
        return (self.offset(node.lineno, node.col_offset),
                self.offset(node.end_lineno or node.lineno, node.end_col_offset or node.col_offset))

    def source(self, node: ast.expr) -> str:
        start, end = self.span(node)
        return self.text[start:end]

    def position(self, offset: int) -> Position:
        row = max(1, bisect.bisect_right(self.starts, offset))
        return Position(row, offset - self.starts[row - 1] + 1)

    def line(self, row: int) -> str:
        start = self.starts[row - 1]
        end = self.starts[row] if row < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")


def parse(text: str, path: str) -> tuple[ast.Module | None, Finding | None]:
    """Parse `text`; on failure, the DL001 finding that says why."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our business
            return ast.parse(text, filename=path), None
    except SyntaxError as e:
        row, col = e.lineno or 1, e.offset or 1
        msg = f"SyntaxError: {e.msg}"
    except (ValueError, TypeError) as e:  # e.g. source code string cannot contain null bytes
        row, col, msg = 1, 1, f"could not parse: {e}"
    except (RecursionError, MemoryError):
        row, col, msg = 1, 1, "could not parse: the file is nested too deeply for the parser"
    lines = Lines(text)
    row = max(1, min(row, len(lines.starts)))
    start = lines.starts[row - 1]
    col = max(1, min(col, len(lines.line(row)) + 1))
    pos = Position(row, col)
    return None, Finding("DL001", msg, path, start + col - 1, start + col - 1, pos, pos)


def parses(text: str) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True
