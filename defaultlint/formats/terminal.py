"""The terminal: colour choice (`--color`, NO_COLOR) and the progress bar of long runs (stderr, TTY only)."""

from __future__ import annotations

from contextlib import contextmanager

# A run over fewer files than this is over before a bar would help.
PROGRESS_MIN_FILES = 5


def console(color: str, stream):
    """A rich console on `stream`: `always` colours even when piped or NO_COLOR is set, `never` never does,
    `auto` colours a terminal unless NO_COLOR is set."""
    from rich.console import Console

    if color == "always":
        c = Console(file=stream, force_terminal=True, no_color=False, highlight=False, soft_wrap=True)
        if c.color_system is None:  # a dumb or unknown terminal: plain ANSI colours still work
            c = Console(file=stream, force_terminal=True, no_color=False, color_system="standard",
                        highlight=False, soft_wrap=True)
        return c
    if color == "never":
        return Console(file=stream, color_system=None, no_color=True, highlight=False, soft_wrap=True,
                       force_terminal=False)
    return Console(file=stream, highlight=False, soft_wrap=True)  # rich honours NO_COLOR and TERM itself


def stderr_console(color: str = "auto"):
    import sys

    return console(color, sys.stderr)


@contextmanager
def progress(total: int, enabled: bool = True, color: str = "auto", stream=None):
    """Yields `advance(n)`; draws a transient bar on `stream` (stderr) only when it is a terminal, the run
    is `enabled` (not --quiet) and has at least PROGRESS_MIN_FILES files. Otherwise `advance` does nothing."""
    import os
    import sys

    stream = stream or sys.stderr
    # a bar only on a real terminal: `--color always` colours piped output, it does not draw bars into it
    if not enabled or total < PROGRESS_MIN_FILES or not _isatty(stream) or os.environ.get("TERM") == "dumb":
        yield lambda n=1: None  # decided without importing rich: piped and quiet runs start faster
        return
    out = console(color, stream)
    if not out.is_terminal or out.is_dumb_terminal:
        yield lambda n=1: None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    bar = Progress(TextColumn("Checking"), BarColumn(), MofNCompleteColumn(), TextColumn("files"),
                   console=out, transient=True, auto_refresh=False)
    with bar:
        task = bar.add_task("check", total=total)

        def advance(n: int = 1) -> None:
            bar.advance(task, n)
            bar.refresh()

        bar.refresh()
        yield advance


def _isatty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError, OSError):
        return False
