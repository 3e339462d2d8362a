"""Comparing two manifests of one model in two frameworks: which hyperparameters diverge, and the fix.

Calls are paired by kind (the table's `counterpart` links: Dense <-> Linear, BatchNormalization <->
BatchNorm1d/2d/3d, ...) and by order within each kind (a sequence alignment). For each pair, every
hyperparameter of A is looked up in B under its counterpart name, converted to B's convention (the table's
`convert`) and compared; a divergence carries the argument or code that makes B match A, graded exact or
approximate. What the rows cannot say - initialiser vocabularies, layout and logits conventions, where no
argument gives exact equality - is rules/equivalences.toml (`equivalence`); this module is the engine.
"""

from __future__ import annotations

import ast
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

from defaultlint.audit.equivalence import Equivalences, equivalences
from defaultlint.audit.manifest import EXPLICIT, UNKNOWN, Entry, Hyper
from defaultlint.core.table import Api, Table, convert

EXACT, APPROXIMATE = "exact", "approximate"


@dataclass
class Divergence:
    kind: str
    a_where: str
    b_where: str
    a_param: str
    a_value: str
    b_param: str
    b_value: str
    want: str  # the value in B's convention that matches A
    fix: str  # the argument or code that makes B match A
    grade: str  # exact | approximate
    note: str = ""


@dataclass
class Pair:
    kind: str
    a: Entry | None
    b: Entry | None
    divergences: list[Divergence] = field(default_factory=list)
    fix: str = ""  # B's call rewritten with every divergent argument


@dataclass
class Comparison:
    a: str
    b: str
    pairs: list[Pair]

    @property
    def divergences(self) -> list[Divergence]:
        return [d for p in self.pairs for d in p.divergences]

    @property
    def unpaired(self) -> list[Pair]:
        return [p for p in self.pairs if p.a is None or p.b is None]


# -- kinds ------------------------------------------------------------------------------------------
def kinds(table: Table) -> dict[str, str]:
    """API name -> its kind: the connected component of counterpart links, named by its sorted members."""
    parent: dict[str, str] = {n: n for n in table.apis}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for api in table.apis.values():
        if api.counterpart and api.counterpart in parent:
            a, b = find(api.name), find(api.counterpart)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for n in parent:
        groups.setdefault(find(n), []).append(n)
    out = {}
    for members in groups.values():
        label = " ↔ ".join(sorted({m.rsplit(".", 1)[-1] for m in members}))
        for m in members:
            out[m] = label
    return out


def align(a: list[Entry], b: list[Entry], score) -> list[tuple[Entry | None, Entry | None]]:
    """Order-preserving alignment maximising the summed pair scores (a gap scores 0)."""
    n, m = len(a), len(b)
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best[i][j] = max(best[i + 1][j], best[i][j + 1], score(a[i], b[j]) + best[i + 1][j + 1])
    out: list[tuple[Entry | None, Entry | None]] = []
    i = j = 0
    while i < n and j < m:
        if best[i][j] == score(a[i], b[j]) + best[i + 1][j + 1]:
            out.append((a[i], b[j]))
            i, j = i + 1, j + 1
        elif best[i][j] == best[i + 1][j]:
            out.append((a[i], None))
            i += 1
        else:
            out.append((None, b[j]))
            j += 1
    out.extend((x, None) for x in a[i:])
    out.extend((None, y) for y in b[j:])
    return out


# -- values -----------------------------------------------------------------------------------------
def _literal(text: str):
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return _MISSING


_MISSING = object()


def translate(eq: Equivalences, value: str, names: tuple[str, ...], source: str, target: str) -> str | None:
    """`value` of framework `source` spelled for framework `target`, when the equivalences know it."""
    x = _literal(value)
    for name in names:
        for group in eq.spellings.get(name, ()):
            if source in group and target in group and x is not _MISSING and _equal(_literal(group[source]), x):
                return group[target]
    return None


def same(a: str, b: str, name: str = "") -> bool | None:
    """True/False when the two values (Python source) are equal or not; None when it cannot be told."""
    x, y = _literal(a), _literal(b)
    if x is _MISSING or y is _MISSING:
        return True if a.replace(" ", "") == b.replace(" ", "") else None
    return _equal(x, y)


def _equal(x, y) -> bool:
    if isinstance(x, (tuple, list)) and isinstance(y, (tuple, list)):
        return len(x) == len(y) and all(_equal(p, q) for p, q in zip(x, y))
    if isinstance(x, (tuple, list)) or isinstance(y, (tuple, list)):  # 3 is (3, 3) for a 2-D size
        seq, one = (x, y) if isinstance(x, (tuple, list)) else (y, x)
        return all(_equal(p, one) for p in seq)
    if isinstance(x, bool) or isinstance(y, bool):
        return x is y
    if isinstance(x, (int, float)) and isinstance(y, (int, float)):
        return math.isclose(x, y, rel_tol=1e-9, abs_tol=0.0)
    return x == y


def _split(api: Api, entry: Entry) -> dict[str, tuple[str, Hyper]]:
    """Atoms of an entry: name -> (value, hyper); a tuple parameter whose counterpart is several names
    (torch betas <-> Keras beta_1, beta_2) is split into those names' values."""
    out: dict[str, tuple[str, Hyper]] = {}
    for h in entry.params:
        names = api.fact(h.name).counterparts if api.param(h.name) else ()
        if len(names) > 1:
            items = _literal(h.value)
            if isinstance(items, tuple) and len(items) == len(names):
                for n, v in zip(names, items):
                    out[f"{h.name}[{n}]"] = (repr(v), h)
                continue
        out[h.name] = (h.value, h)
    return out


def _other_name(a_api: Api, b_api: Api, name: str, b_atoms: dict) -> str | None:
    """The name under which B holds A's `name`, or None when B has no such hyperparameter."""
    candidates: list[str] = []
    fact = a_api.fact(name) if a_api.param(name) else None
    imp = a_api.implicit_fact(name)
    cps = (fact.counterparts if fact else ()) or ((imp.counterpart,) if imp and imp.counterpart else ())
    if len(cps) == 1:
        candidates.append(cps[0])
    candidates.append(name)
    for p in b_api.params:  # the reverse link, for rows annotated on one side only
        pcps = b_api.fact(p.name).counterparts
        if len(pcps) > 1 and name in pcps:
            candidates.append(f"{p.name}[{name}]")
        elif pcps == (name,):
            candidates.append(p.name)
    for i in b_api.implicit:
        if i.counterpart == name:
            candidates.append(i.name)
    return next((c for c in candidates if c in b_atoms), None)


# -- comparison -------------------------------------------------------------------------------------
def compare_entries(a: list[Entry], b: list[Entry], table: Table, a_name: str = "A", b_name: str = "B") -> Comparison:
    kind_of = kinds(table)
    order: list[str] = []
    by_kind_a: dict[str, list[Entry]] = {}
    by_kind_b: dict[str, list[Entry]] = {}
    for side, store in ((a, by_kind_a), (b, by_kind_b)):
        for e in side:
            k = kind_of.get(e.api)
            if k is None:
                continue
            if k not in order:
                order.append(k)
            store.setdefault(k, []).append(e)

    def score(x: Entry, y: Entry) -> float:
        if x.framework == y.framework and x.api != y.api:
            return 0.0
        pairs = _compare_pair(table, x, y, _label(x, y))
        return 1.0 + 1.0 / (1 + sum(d.grade == EXACT and d.a_param in _explicit(x) for d in pairs))

    pairs: list[Pair] = []
    for k in order:
        for x, y in align(by_kind_a.get(k, []), by_kind_b.get(k, []), score):
            p = Pair(_label(x, y), x, y)
            if x is not None and y is not None:
                p.divergences = _compare_pair(table, x, y, p.kind)
                p.fix = _call_fix(table, y, p.divergences)
            pairs.append(p)
    pairs.sort(key=lambda p: _pos(p.a) if p.a else _pos(p.b, later=True))
    return Comparison(a_name, b_name, pairs)


def _label(x: Entry | None, y: Entry | None) -> str:
    names = [e.api.rsplit(".", 1)[-1] for e in (x, y) if e is not None]
    return " ↔ ".join(dict.fromkeys(names))


def _explicit(e: Entry) -> set[str]:
    return {h.name for h in e.params if h.source == EXPLICIT}


def _pos(e: Entry, later: bool = False) -> tuple:
    return (later, e.path, e.line, e.column)


def _where(e: Entry) -> str:
    return f"{e.path}:{e.line}"


def _compare_pair(table: Table, ea: Entry, eb: Entry, kind: str) -> list[Divergence]:
    a_api, b_api = table.apis.get(ea.api), table.apis.get(eb.api)
    if a_api is None or b_api is None:
        return []
    eq = equivalences(table)
    a_atoms, b_atoms = _split(a_api, ea), _split(b_api, eb)
    out: list[Divergence] = []
    matched_b: set[str] = set()
    for a_key, (a_value, ha) in a_atoms.items():
        base = a_key.split("[", 1)[0]
        lookup = a_key[a_key.index("[") + 1:-1] if "[" in a_key else a_key
        b_key = _other_name(a_api, b_api, lookup, b_atoms) if "[" in a_key else _other_name(a_api, b_api, base, b_atoms)
        if b_key is None:
            d = _convention(eq, ea, eb, ha, kind, a_side=True)
            if d:
                out.append(d)
            continue
        matched_b.add(b_key)
        b_value, hb = b_atoms[b_key]
        if UNKNOWN in (ha.source, hb.source):
            continue
        b_param = b_key.split("[", 1)[0]
        d = _compare_values(table, eq, a_api, b_api, ea, eb, base, a_value, b_key, b_param, b_value, kind)
        if d:
            out.append(d)
    for b_key, (_, hb) in b_atoms.items():
        if b_key not in matched_b and "[" not in b_key:
            d = _convention(eq, eb, ea, hb, kind, a_side=False)
            if d:
                out.append(d)
    return out


def _compare_values(table: Table, eq: Equivalences, a_api: Api, b_api: Api, ea: Entry, eb: Entry, a_param: str,
                    a_value: str, b_key: str, b_param: str, b_value: str, kind: str) -> Divergence | None:
    note = a_api.fact(a_param).note if a_api.param(a_param) else None
    note = note or (b_api.fact(b_param).note if b_api.param(b_param) else None) or ""
    strategy = eq.strategies.get(a_param) or eq.strategies.get(b_param)
    if strategy == "initializer":
        return _compare_init(table, eq, ea, eb, b_api, a_param, a_value, b_param, b_value, kind, note)
    across = ea.framework != eb.framework
    if strategy == "conv_padding" and a_param == b_param and across:
        return _compare_padding(eq, ea, eb, a_value, b_value, kind)
    facts = eq.facts_as_params
    if a_param in facts and facts[a_param][0] == b_param:
        a_value = facts[a_param][1]
    if b_param in facts and facts[b_param][0] == a_param:
        if same(a_value, facts[b_param][1]) is not False:
            return None
        b_value = f"{b_value} (≙ {a_param}={facts[b_param][1]})"
        differs = True
    else:
        differs = False
    want = a_value
    if across:
        want = (translate(eq, a_value, (b_param, a_param), ea.framework, eb.framework)
                or convert(b_api, b_param, a_value) or a_value)
    if not differs and same(want, b_value, b_param) is not False:
        return None
    if b_api.param(b_param) is None:  # B holds it as a fact no argument sets (torch losses take logits)
        conv = eq.convention(a_param, _literal(a_value))
        rule = conv.advice.get(eb.framework) if conv else None
        imp = b_api.implicit_fact(b_param)
        fix = rule or (imp.explicit.replace("{obj}", "layer") if imp and imp.explicit else
                       f"no argument of {eb.callee} sets {b_param}")
        return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value, want, fix,
                          EXACT if rule or (imp and imp.explicit) else APPROXIMATE, note)
    inexact = (eq.inexact.get((b_api.name, b_param)) or eq.inexact.get((a_api.name, a_param))) if across else None
    reason = inexact[0] if inexact else None
    grade = APPROXIMATE if reason else EXACT
    if inexact and inexact[1]:
        note = ""  # the reason says it all
    if "[" in b_key:  # one element of a tuple parameter
        inner = b_key[b_key.index("[") + 1:-1]
        return Divergence(kind, _where(ea), _where(eb), a_param, a_value, f"{b_param} ({inner})", b_value, want,
                          f"{b_param}=<tuple with {inner}={want}>", grade, _join(note, reason))
    fix = f"{b_param}={want}"
    companion = eq.companions.get((b_api.name, b_param))
    if companion and same(want, companion[1], b_param) is False:
        fix += f", {companion[0]}"
    return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value, want, fix, grade,
                      _join(note, reason))


def _compare_init(table: Table, eq: Equivalences, ea: Entry, eb: Entry, b_api: Api, a_param: str, a_value: str,
                  b_param: str, b_value: str, kind: str, note: str) -> Divergence | None:
    a_init, b_init = eq.initializer_name(a_value, ea.framework), eq.initializer_name(b_value, eb.framework)
    if a_init is not None and a_init == b_init:
        return None
    if a_init is None and b_init is None and same(a_value, b_value) is not False:
        return None
    init = eq.initializer(a_init)
    spelled = init.spelled.get(eb.framework) if init else None
    tensors = [_tensor(b_api, b_param)]
    for part in eq.tensor_parts:
        if part in tensors[0] and init is not None and init.splits:
            tensors += [tensors[0].replace(part, sibling) for sibling in eq.tensor_parts[part]]
    tensor = tensors[0]
    style = eq.styles.get(eb.framework, {}).get("style", "argument")
    if spelled is None or init is None:
        fix = f"write {a_value} in {table.display(eb.framework)} (no known equivalent)"
        grade = APPROXIMATE
    elif style == "statement":
        calls = []
        for t in tensors:
            one = spelled.format(w=f"layer.{t}")
            qualified = eq.qualified(one, eb.framework)
            calls.append(qualified if qualified == one else qualified.replace("(", f"(layer.{t}, ", 1))
        fix = "; ".join(calls)
        grade = init.grade
    else:
        fix = f"{b_param}={spelled}"
        grade = init.grade
    extra = eq.same_distribution if init is None or init.note is None else init.note
    extra = _join(extra, *eq.explain_terms(fix))
    return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value,
                      spelled.format(w=tensor) if spelled else a_value, fix, grade, _join(note, extra))


def _tensor(api: Api, param: str) -> str:
    """The attribute of a module an initialisation fact is about (`weight`, `weight_hh_l0`, ...)."""
    imp = api.implicit_fact(param)
    m = re.search(r"\{obj\}\.(\w+)", imp.explicit or "") if imp else None
    return m.group(1) if m else ("bias" if "bias" in param else "weight")


def _pads(eq: Equivalences, e: Entry, value: str) -> tuple | str | None:
    """Convolution padding as the amount added on each side per dimension, so that the words for no padding
    and for 'same' compare with integers."""
    pad = eq.padding
    v = _literal(value)

    def num(names):
        h = next((e.get(n) for n in names if e.get(n)), None)
        x = _literal(h.value) if h else 1
        return x if isinstance(x, tuple) else (x,)

    k, d, st = num(pad["kernel"]), num(pad["dilation"]), num(pad["stride"])
    if v == pad["none"] or v == 0:
        return (0,)
    if isinstance(v, int):
        return (v,)
    if isinstance(v, tuple):
        return v
    if v == pad["same"] and all(isinstance(x, int) for x in (*k, *d, *st)) and set(st) == {1} \
            and all(x % 2 == 1 for x in k):
        dims = max(len(k), len(d))
        k, d = k * dims if len(k) == 1 else k, d * dims if len(d) == 1 else d
        return tuple((kk - 1) // 2 * dd for kk, dd in zip(k, d))
    return None


def _compare_padding(eq: Equivalences, ea: Entry, eb: Entry, a_value: str, b_value: str, kind: str
                     ) -> Divergence | None:
    pa, pb = _pads(eq, ea, a_value), _pads(eq, eb, b_value)
    if pa is not None and pb is not None and (_equal(pa, pb) or (len(set(pa)) == 1 and _equal(pb, pa[0]))):
        return None
    if pa is None and _literal(a_value) == _literal(b_value):
        return None
    explicit = eq.padding.get("explicit", {}).get(eb.framework)
    if pa is None:
        want, grade = a_value, APPROXIMATE
    elif explicit is not None:  # B writes padding as a word
        same_pad = _pads(eq, eb, repr(eq.padding["same"]))
        if set(pa) == {0}:
            want = repr(eq.padding["none"])
        elif same_pad is not None and _equal(same_pad, pa):
            want = repr(eq.padding["same"])
        else:
            want = explicit.format(pad=pa[0] if len(set(pa)) == 1 else pa)
        grade = EXACT
    else:
        want, grade = str(pa[0] if len(set(pa)) == 1 else pa), EXACT
    return Divergence(kind, _where(ea), _where(eb), "padding", a_value, "padding", b_value, want,
                      f"padding={want}", grade, "")


def _convention(eq: Equivalences, e: Entry, other: Entry, h: Hyper, kind: str, a_side: bool) -> Divergence | None:
    """A parameter one side has and the other framework lacks, when it changes what the code means."""
    conv = eq.convention(h.name, _literal(h.value))
    if conv is None or other.framework not in conv.advice or h.source == UNKNOWN:
        return None
    if a_side:  # A (e) has it, B (other) lacks it: tell how B's framework matches
        return Divergence(kind, _where(e), _where(other), h.name, h.value, "-", "-", "-", conv.advice[other.framework],
                          EXACT, "")
    want = conv.match.get(other.framework)
    if want is None:
        return None
    return Divergence(kind, _where(other), _where(e), "-", "-", h.name, h.value, want, f"{h.name}={want}", EXACT,
                      conv.advice[other.framework])


def _call_fix(table: Table, eb: Entry, divergences: list[Divergence]) -> str:
    """B's call with the divergent arguments written in (the one-line fix of the pair)."""
    wanted = {d.b_param: d.fix[len(d.b_param) + 1:] for d in divergences if d.fix.startswith(f"{d.b_param}=")}
    if not wanted:
        return ""
    args = []
    for name, text in eb.args:
        if name in wanted:
            value = wanted.pop(name)
            keyword = text.split("=", 1)[0].strip() == name and "=" in text
            args.append(f"{name}={value}" if keyword else value.split(", ")[0] if "=" not in value else value)
        else:
            args.append(text)
    args += [f"{n}={v}" for n, v in wanted.items()]
    return f"{eb.callee}({', '.join(args)})"


def _join(*parts: str | None) -> str:
    return "; ".join(p.rstrip(".") for p in parts if p)


# -- input ------------------------------------------------------------------------------------------
def load_side(path: Path, table: Table, rules) -> list[Entry]:
    """A side of the comparison: a Python file or folder, or a JSON manifest."""
    from defaultlint.audit.manifest import entries_for_paths, from_json

    if path.suffix == ".json":
        return from_json(path.read_text(encoding="utf-8"))
    entries, errors = entries_for_paths([path], table, rules)
    if errors:
        raise ValueError("; ".join(errors))
    return entries


# -- output -----------------------------------------------------------------------------------------
def to_json(c: Comparison) -> str:
    data = {
        "a": c.a, "b": c.b,
        "divergences": [asdict(d) for d in c.divergences],
        "pairs": [{"kind": p.kind, "a": _where(p.a) if p.a else None, "b": _where(p.b) if p.b else None,
                   "a_api": p.a.api if p.a else None, "b_api": p.b.api if p.b else None, "fix": p.fix,
                   "divergences": len(p.divergences)} for p in c.pairs],
        "unpaired": [{"side": "a" if p.a else "b", "where": _where(p.a or p.b), "api": (p.a or p.b).api}
                     for p in c.unpaired],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _line(d: Divergence) -> str:
    a = f"{d.a_param}={d.a_value}" if d.a_param != "-" else "(no such parameter)"
    b = f"{d.b_param}={d.b_value}" if d.b_param != "-" else "(no such parameter)"
    return f"{a} vs {b}"


def to_markdown(c: Comparison) -> str:
    out = [f"# Port audit: `{c.a}` → `{c.b}`", "", _summary(c), "",
           "| Kind | A | B | A value vs B value | Make B match A | Grade | Note |", "|---|---|---|---|---|---|---|"]
    for d in c.divergences:
        cells = [d.kind, f"`{d.a_where}`", f"`{d.b_where}`", f"`{_line(d)}`", f"`{d.fix}`", d.grade, d.note]
        out.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    fixes = [p for p in c.pairs if p.fix]
    if fixes:
        out += ["", "Calls of B rewritten:", ""] + [f"- `{p.b and _where(p.b)}`: `{p.fix}`" for p in fixes]
    if c.unpaired:
        out += ["", "Without partner:", ""]
        out += [f"- only in {'A' if p.a else 'B'}: `{_where(p.a or p.b)}` `{(p.a or p.b).api}`"  # type: ignore
                for p in c.unpaired]
    return "\n".join(out) + "\n"


def _summary(c: Comparison) -> str:
    ds = c.divergences
    paired = sum(p.a is not None and p.b is not None for p in c.pairs)
    return (f"{paired} paired calls, {len(ds)} divergences ({sum(d.grade == EXACT for d in ds)} with an exact fix, "
            f"{sum(d.grade == APPROXIMATE for d in ds)} approximate), {len(c.unpaired)} calls without partner.")


def print_rich(console, c: Comparison) -> None:
    from rich.markup import escape

    console.print(f"[bold]{escape(c.a)} → {escape(c.b)}[/bold]")
    for p in c.pairs:
        if p.a is None or p.b is None:
            e = p.a or p.b
            console.print(f"[yellow]only in {'A' if p.a else 'B'}, without partner:[/yellow] {escape(_where(e))} "
                          f"{escape(e.api)}")  # type: ignore[union-attr]
            continue
        if not p.divergences:
            continue
        console.print(f"\n[bold]{escape(_where(p.a))} ↔ {escape(_where(p.b))}[/bold]  {escape(p.kind)}")
        for d in p.divergences:
            colour = "green" if d.grade == EXACT else "yellow"
            console.print(f"  {escape(_line(d))}\n"
                          f"    → [cyan]{escape(d.fix)}[/cyan] [{colour}]({d.grade})[/{colour}]")
            if d.note:
                console.print(f"      [dim]{escape(d.note)}[/dim]")
        if p.fix:
            console.print(f"    B rewritten: [cyan]{escape(p.fix)}[/cyan]")
    console.print("\n" + _summary(c), markup=False)
