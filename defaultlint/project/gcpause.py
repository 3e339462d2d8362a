"""Pausing the garbage collector while one unit of work makes many short-lived objects.

Checking a file, or reading the cache, makes hundreds of thousands of objects (syntax trees, findings,
decoded JSON). With the collector running, its passes over everything alive cost a quarter of a cold run,
half of a warm one, and half of an editor round trip over a server's larger heap. The work makes few
cycles; those it makes are young and are freed by collecting the young generations afterwards.

The collector belongs to the program that runs it. Only defaultlint's own processes (the command line,
its workers, the editor server) pause it: they say so with `own_process()`. A program that embeds the
library keeps its collector exactly as it set it.
"""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager
from enum import Enum


class Mode(Enum):
    EMBEDDED = "embedded"  # a host program's process: never touch its collector
    LONG_LIVED = "long-lived"  # defaultlint's own process that lives on (the editor server): pause, never freeze
    ONE_RUN = "one-run"  # defaultlint's own process that does one run and exits: pause, freeze what is kept


_mode = Mode.EMBEDDED


def own_process(one_run: bool) -> None:
    """Say that this process is defaultlint's own. With `one_run` it does one run and exits (the command
    line and its workers): what a `paused(keep=True)` block keeps may then be frozen. A process that lives
    on (the editor server) never freezes: frozen objects are never collected."""
    global _mode
    _mode = Mode.ONE_RUN if one_run else Mode.LONG_LIVED


def mode() -> Mode:
    return _mode


@contextmanager
def paused(keep: bool = False):
    """Run the block with the collector off, then collect the young generations (nested blocks: the
    outermost one collects). With `keep`, what the block made lives for the rest of the run (findings read
    from the cache): in a one-run process it is frozen instead, so no later collection walks it again.
    In an embedding program's process this does nothing."""
    if _mode is Mode.EMBEDDED or not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if keep and _mode is Mode.ONE_RUN:
            gc.freeze()
        else:
            gc.collect(1)


def pausing(function):
    """`function` run inside `paused()`."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        with paused():
            return function(*args, **kwargs)

    return wrapper
