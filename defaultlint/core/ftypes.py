"""Plain data passed between the modules: findings, fixes, edits and per-file results."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple


class Position(NamedTuple):
    """A place in a file: 1-based row, 1-based column (in characters), as ruff's JSON reports it.
    (Tuples: thousands are made per run, and a frozen dataclass costs four times as much to build.)"""

    row: int
    column: int


class Edit(NamedTuple):
    """Replace the text between two absolute character offsets with `content`."""

    start: int
    end: int
    content: str


@dataclass
class Fix:
    applicability: str  # "safe" | "unsafe" | "display-only"
    message: str
    edits: list[Edit] = field(default_factory=list)


@dataclass
class Finding:
    code: str
    message: str
    path: str
    start: int  # absolute character offsets of the reported node
    end: int
    location: Position
    end_location: Position
    api: str | None = None
    parameters: list[tuple[str, str]] = field(default_factory=list)  # (name, value written by the fix)
    fix: Fix | None = None
    cell: int | None = None  # notebook cell index, when linting notebooks

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability != "display-only" and bool(self.fix.edits)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # an error that stopped checking (unreadable file, ...)
    source: str | None = None
    fixed_source: str | None = None  # set by the fixer when the text changed
    fixes_applied: int = 0
