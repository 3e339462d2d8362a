"""The test oracle for fixes, independent of the fixer's own guard: used by the tests and by the benchmark
harness's fix check (bench/fixcheck.py)."""

from __future__ import annotations

import ast


def same_but_added_keywords(old, new) -> bool:
    """True when `new` is `old` with keyword arguments added to calls (and nothing else changed)."""
    if type(old) is not type(new):
        return False
    if isinstance(old, list):
        if new and isinstance(new[0], ast.stmt) and len(new) > len(old):
            return _with_inserted_statements(old, new)
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


def _inserted(st: ast.stmt) -> bool:
    """A statement a fix may insert: an import, a call (`nn.init.zeros_(self.fc.bias)`, a setter), or an
    assignment to an attribute (`torch.backends.cudnn.benchmark = False`)."""
    return isinstance(st, (ast.Import, ast.ImportFrom)) or \
        (isinstance(st, ast.Expr) and isinstance(st.value, ast.Call)) or \
        (isinstance(st, ast.Assign) and all(isinstance(t, ast.Attribute) for t in st.targets))


def _with_inserted_statements(old: list, new: list) -> bool:
    """`new` is `old` (each statement with keywords added) with inserted statements between them."""
    i = 0
    for st in new:
        if i < len(old) and same_but_added_keywords(old[i], st):
            i += 1
        elif not _inserted(st):
            return False
    return i == len(old)
