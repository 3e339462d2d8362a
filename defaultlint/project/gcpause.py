"""Pausing the garbage collector while one unit of work makes many short-lived objects.

Checking a file, or reading the cache, makes hundreds of thousands of objects (syntax trees, findings,
decoded JSON). With the collector running, its passes over everything alive cost a quarter of a cold run,
half of a warm one, and half of an editor round trip over a server's larger heap. The work makes few
cycles; those it makes are young and are freed by collecting the young generations afterwards.
"""

from __future__ import annotations

import functools
import gc
from contextlib import contextmanager


_one_run = False


def one_run_process() -> None:
    """Say that this process does one run and exits (the command line): what a `paused(keep=True)` block
    keeps may then be frozen. A host that lives on (the editor server, a program using the API) never
    freezes: frozen objects are never collected."""
    global _one_run
    _one_run = True


@contextmanager
def paused(keep: bool = False):
    """Run the block with the collector off, then collect the young generations (nested blocks: the
    outermost one collects). With `keep`, what the block made lives for the rest of the run (findings read
    from the cache): in a one-run process it is frozen instead, so no later collection walks it again."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
        if keep and _one_run:
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
