"""Port traps: what a port gets wrong that no single default explains (rules/ports.toml `[[trap]]`).

A trap applies to a pair when A's and B's calls are of the listed APIs (or B of the listed framework) and
its conditions hold: a parameter equal to a literal, `>1` (a number above one in some dimension), `set`
(written explicitly and not None), or two probabilities adding up to 1. The engine knows the conditions and
one computation (the asymmetric padding of a strided 'same' convolution); the APIs and words are data.
"""

from __future__ import annotations

import ast

from defaultlint.audit.equivalence import Ports, Trap
from defaultlint.audit.manifest import EXPLICIT, Entry


def _lit(text: str | None):
    if text is None:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _holds(e: Entry, name: str, cond: str) -> bool:
    h = e.get(name)
    if h is None:
        return False
    if cond == "set":
        return h.source == EXPLICIT and h.value != "None"
    v = _lit(h.value)
    if cond == ">1":
        items = v if isinstance(v, (tuple, list)) else (v,)
        return any(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 1 for x in items)
    return v is not None and v == _lit(cond)


def applies(t: Trap, ea: Entry, eb: Entry) -> bool:
    if ea.api not in t.a_api:
        return False
    if t.b_api and eb.api not in t.b_api:
        return False
    if t.b_framework and eb.framework != t.b_framework:
        return False
    if t.cross and ea.framework == eb.framework:
        return False
    when = t.when
    if not all(_holds(ea, k, c) for k, c in when.get("a", {}).items()):
        return False
    if not all(_holds(eb, k, c) for k, c in when.get("b", {}).items()):
        return False
    names = when.get("complement")
    if names:
        va = next((_lit(ea.get(n).value) for n in names if ea.get(n)), None)
        vb = next((_lit(eb.get(n).value) for n in names if eb.get(n)), None)
        if not all(isinstance(v, (int, float)) for v in (va, vb)) or abs(va + vb - 1) > 1e-9 or va == vb:
            return False
    return True


def _ints(e: Entry, names: tuple[str, ...], default: int = 1) -> tuple[int, ...] | None:
    h = next((e.get(n) for n in names if e.get(n)), None)
    v = _lit(h.value) if h else default
    v = v if isinstance(v, (tuple, list)) else (v,)
    return tuple(v) if all(isinstance(x, int) and not isinstance(x, bool) for x in v) else None


def same_padding(ea: Entry, dims: int) -> tuple[str, str] | None:
    """(the F.pad amounts, the rule for other sizes) of a strided 'same' convolution, for an input size the
    stride divides: total = dilation * (kernel - 1) + 1 - stride per dimension, the larger half at the end."""
    k, s, d = (_ints(ea, n) for n in (("kernel_size",), ("strides", "stride"),
                                      ("dilation_rate", "dilation", "kernel_dilation")))
    if k is None or s is None or d is None:
        return None
    k, s, d = (x * dims if len(x) == 1 else x for x in (k, s, d))
    if not len(k) == len(s) == len(d) == dims:
        return None
    pads = []
    for kk, ss, dd in zip(k, s, d):
        total = max(dd * (kk - 1) + 1 - ss, 0)
        pads.append((total // 2, total - total // 2))
    flat = tuple(x for before_after in reversed(pads) for x in before_after)  # last dimension first
    return str(flat), "dilation * (kernel - 1) + 1 - (size % stride)"


def found(ports: Ports, ea: Entry, eb: Entry) -> list[tuple[Trap, str]]:
    """The traps of a pair, each with its fix text filled in."""
    out = []
    for t in ports.traps:
        if not applies(t, ea, eb):
            continue
        fix = t.fix
        if "{pad}" in fix:
            kernel = _ints(ea, ("kernel_size",))
            dims = next((int(c) for c in ea.api if c.isdigit()), len(kernel) if kernel and len(kernel) > 1 else 2)
            pad = same_padding(ea, dims)
            if pad is None:
                fix = fix.split(":", 1)[0] + " (the amounts depend on the kernel and stride, which are not literals)"
            else:
                fix = fix.format(pad=pad[0], total_other=pad[1])
        out.append((t, fix))
    return out
