"""Plain data passed between the modules: findings, fixes, edits and per-file results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import NamedTuple


class Applicability(str, enum.Enum):
    """How far a fix may be trusted (ruff's grading)."""

    SAFE = "safe"  # exactly the value in force, whatever runs the code
    UNSAFE = "unsafe"  # depends on a version range or run-time configuration
    DISPLAY_ONLY = "display-only"  # nothing is written: the message shows the code to write

    def __str__(self) -> str:
        return self.value


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
    applicability: Applicability
    message: str
    edits: list[Edit] = field(default_factory=list)
    error: str | None = None  # why the edit could not be computed (a fixer bug): counted and shown, never hidden


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
    def headline(self) -> str:
        """The message's first clause: what is implicit and its value (the text formats' header line)."""
        return self.message[:headline_end(self.message)].removesuffix(".")

    @property
    def detail(self) -> str:
        """The rest of the message: the other framework's value and the notes (below the header), or ''."""
        return self.message[headline_end(self.message):].lstrip(";. ")

    @property
    def fixable(self) -> bool:
        return self.fix is not None and self.fix.applicability is not Applicability.DISPLAY_ONLY and bool(self.fix.edits)


@dataclass
class FileResult:
    path: str
    findings: list[Finding] = field(default_factory=list)
    error: str | None = None  # an error that stopped checking (unreadable file, ...)
    source: str | None = None
    fixed_source: str | None = None  # set by the fixer when the text changed
    fixes_applied: int = 0
    fix_errors: list[str] = field(default_factory=list)  # fixes that could not be computed, and why
    consulted: list[str] = field(default_factory=list)  # other files whose content the findings depend on


def headline_end(message: str) -> int:
    """Where a message's headline ends: at its first `; ` or `. ` outside parentheses and backquotes (a
    message is "<headline>; <detail>" or "<headline>. <detail>"), else at its end. The JSON `message` keeps
    the whole text; the text formats show the headline and, in the full format, the detail below it."""
    depth, quoted = 0, False
    for i, c in enumerate(message):
        if c == "`":
            quoted = not quoted
        elif quoted:
            continue
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and c in ";." and message[i + 1:i + 2] == " ":
            return i
    return len(message)
