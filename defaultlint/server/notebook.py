"""Notebooks in the editor server: the code cells of an open notebook are checked together, as the command
line checks an .ipynb file (an import in one cell is seen in the cells after it), and each finding is
published on its own cell's document, with its range and fix edits counted in that cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from lsprotocol import types

from defaultlint.project import notebook
from defaultlint.formats.lsp import Positions


@dataclass
class CodeCell:
    uri: str
    text: str
    version: int | None


def code_cells(workspace, nb: types.NotebookDocument) -> list[CodeCell]:
    """The notebook's Python code cells in order, with the text the editor holds for each."""
    out = []
    for cell in nb.cells:
        if cell.kind != types.NotebookCellKind.Code:
            continue
        doc = workspace.text_documents.get(cell.document)
        if doc is None or (doc.language_id or "python") != "python":
            continue
        out.append(CodeCell(cell.document, doc.source, doc.version))
    return out


def as_ipynb(cells: list[CodeCell]) -> str:
    """A notebook file holding just these code cells, for the checker's notebook reader."""
    return json.dumps({
        "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c.text}
                  for c in cells],
        "metadata": {"language_info": {"name": "python"}}, "nbformat": 4, "nbformat_minor": 5,
    })


class CellSpans:
    """Offsets into a checked notebook's joined text -> LSP ranges in the cell that holds them."""

    def __init__(self, nb: notebook.Notebook, cells: list[CodeCell], encoding: str):
        self.nb = nb
        self.positions = [Positions(c.text, encoding) for c in cells]

    def cell_of(self, offset: int) -> int | None:
        """The 0-based index (among code cells) of the cell holding `offset`."""
        number, _ = self.nb.locate(offset)
        return None if number is None else number - 1

    def offset_in_cell(self, offset: int) -> tuple[int, int] | None:
        number, pos = self.nb.locate(offset)
        if number is None:
            return None
        positions = self.positions[number - 1]
        starts = positions.lines.starts
        row = min(pos.row, len(starts))
        return number - 1, min(starts[row - 1] + pos.column - 1, len(positions.text))

    def range(self, start: int, end: int) -> dict:
        a, b = self.offset_in_cell(start), self.offset_in_cell(end)
        if a is None:
            return {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}
        positions = self.positions[a[0]]
        stop = b[1] if b is not None and b[0] == a[0] else a[1]
        return positions.range(a[1], max(a[1], stop))

    def joined_offset(self, index: int, offset: int) -> int:
        """An offset into code cell `index` (0-based) -> the same place in the joined text (by row and
        column: a masked magic line has another length there)."""
        pos = self.positions[index].lines.position(offset)
        return self.nb.offset(self.nb.cells[index].first_row + pos.row - 1, pos.column)
