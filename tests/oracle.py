"""The test oracle for fixes, independent of the fixer's own guard: used by the tests and by the benchmark
harness's fix check (bench/fixcheck.py)."""

from __future__ import annotations

import ast


def same_but_added_keywords(old, new) -> bool:
    """True when `new` is `old` with keyword arguments added to calls (and nothing else changed)."""
    if type(old) is not type(new):
        return False
    if isinstance(old, list):
        return len(old) == len(new) and all(same_but_added_keywords(a, b) for a, b in zip(old, new))
    if not isinstance(old, ast.AST):
        return old == new
    for name in old._fields:
        a, b = getattr(old, name, None), getattr(new, name, None)
        if isinstance(old, ast.Call) and name == "keywords":
            names = {k.arg for k in a}
            b = [k for k in b if k.arg in names or k.arg is None]
        if not same_but_added_keywords(a, b):
            return False
    return True
