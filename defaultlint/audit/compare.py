"""Comparing two manifests of one model in two frameworks: which hyperparameters diverge, and the fix.

Calls are paired by the structure of the code around them (`pairing`: matched scopes, attribute names,
shared argument expressions, order within the matched scope) among calls of one kind (the table's
`counterpart` links: Dense <-> Linear, BatchNormalization <-> BatchNorm1d/2d/3d, ...). Values are the
effective ones (`effective`: module constants, local helpers, the model's own re-initialisation). A value
that cannot be read is "could not compare", never agreement. For each pair, every
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

from defaultlint.audit import effective, normalise, pairing, traps
from defaultlint.audit.accept import PortFile, matches
from defaultlint.audit.equivalence import Equivalences, Ports, equivalences, ports
from defaultlint.audit.manifest import EXPLICIT, UNKNOWN, Entry, Hyper
from defaultlint.audit.rewrite import keywords_of, rewrite
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
    accepted: str = ""  # the reason recorded in the port file, when it is accepted
    trap: str = ""  # the trap's name, for a port trap rather than a value


@dataclass
class Unknown:
    """A hyperparameter that could not be compared: one side's value cannot be read statically."""

    a_param: str
    a_value: str
    b_param: str
    b_value: str
    why: str


@dataclass
class Pair:
    kind: str
    a: Entry | None
    b: Entry | None
    divergences: list[Divergence] = field(default_factory=list)
    fix: str = ""  # B's call rewritten with every divergent argument
    evidence: list[str] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    agreed: list[str] = field(default_factory=list)  # agreements worth a note (near distributions)


@dataclass
class Comparison:
    a: str
    b: str
    pairs: list[Pair]
    program: list[Divergence] = field(default_factory=list)  # program-level settings that differ
    scopes: dict[tuple[str, int, int], str] = field(default_factory=dict)  # place -> its scope, for listings

    @property
    def divergences(self) -> list[Divergence]:
        return [d for p in self.pairs for d in p.divergences if not d.accepted] + \
            [d for d in self.program if not d.accepted]

    @property
    def accepted(self) -> list[Divergence]:
        return [d for p in self.pairs for d in p.divergences if d.accepted] + [d for d in self.program if d.accepted]

    @property
    def unknowns(self) -> list[tuple[Pair, Unknown]]:
        return [(p, u) for p in self.pairs for u in p.unknown]

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


align = pairing.align


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
    # both name the same parameter of a third framework, each side one parameter only (Flax kernel_init and
    # Keras kernel_initializer both stand for torch weight_init; Optax b1 and b2 both for torch betas do not)
    if len(cps) == 1 and sum(a_api.fact(p.name).counterparts == cps for p in a_api.params) <= 1:
        shared = [p.name for p in b_api.params if b_api.fact(p.name).counterparts == cps]
        shared += [i.name for i in b_api.implicit if i.counterpart == cps[0]]
        if len(shared) == 1:
            candidates.append(shared[0])
    return next((c for c in candidates if c in b_atoms), None)


def _family(table: Table, api: Api | None) -> str | None:
    fw = table.frameworks.get(api.framework) if api is not None else None
    return fw.family if fw else None


def _converted(table: Table, a_api: Api, a_param: str, b_api: Api, b_param: str, value: str) -> str | None:
    """A's `value` in B's convention, when a row names a conversion. A row's conversion is relative to its
    counterpart's framework; two rows whose counterparts are of one third framework (Flax and Keras
    BatchNorm, both annotated against torch) convert through it. Every conversion is its own inverse."""
    fa, fb = _family(table, a_api), _family(table, b_api)
    ca, cb = _family(table, table.apis.get(a_api.counterpart or "")), _family(table, table.apis.get(b_api.counterpart or ""))
    if fa == fb or cb == fa or ca == fb or ca is None or ca != cb:
        return convert(b_api, b_param, value)
    via = convert(a_api, a_param, value) if a_api.param(a_param) else None
    via = value if via is None else via
    out = convert(b_api, b_param, via) if b_api.param(b_param) else None
    return out if out is not None else (via if via != value else None)


# -- comparison -------------------------------------------------------------------------------------
@dataclass
class Side:
    """One side of a port: its calls with effective values, where each call stands, and its programs."""

    entries: list[Entry]
    places: dict = field(default_factory=dict)  # (path, line, column) -> pairing.Place
    texts: dict[str, str] = field(default_factory=dict)  # path -> source
    settings: dict[str, set] = field(default_factory=dict)  # flag name -> the values programs write for it
    programs: bool = False  # some module of the side is a program (trains, or has a main guard)
    roots: set = field(default_factory=set)  # top-level packages its programs import
    normalisations: list = field(default_factory=list)  # normalise.Found: its input normalisation calls


def compare_entries(a: list[Entry], b: list[Entry], table: Table, a_name: str = "A", b_name: str = "B",
                    side_a: Side | None = None, side_b: Side | None = None, port: PortFile | None = None
                    ) -> Comparison:
    kind_of = kinds(table)
    pk = ports(table.root)
    side_a = side_a or Side(a)
    side_b = side_b or Side(b)
    port = port or PortFile()
    excluded = {id(e) for e in (*a, *b) if any(matches(x, _where(e)) for x in port.excludes)}
    for x in port.excludes:
        if not any(matches(x, _where(e)) for e in (*a, *b)):
            raise ValueError(f"the port file excludes {x}, which is no call of A or B")
    a = [e for e in a if id(e) not in excluded]
    b = [e for e in b if id(e) not in excluded]
    pins = []
    for pa, pb in port.pins:
        ea = next((e for e in a if matches(pa, _where(e))), None)
        eb = next((e for e in b if matches(pb, _where(e))), None)
        if ea is None or eb is None:
            raise ValueError(f"the port file pins {pa if ea is None else pb}, which is no call of "
                             f"{'A' if ea is None else 'B'}")
        pins.append((ea, eb))
    pairs: list[Pair] = []
    for pd in pairing.pair(a, b, kind_of, side_a.places, side_b.places, pk.framework_words, pins):
        p = Pair(_label(pd.a, pd.b), pd.a, pd.b, evidence=pd.evidence)
        if pd.a is not None and pd.b is not None:
            _compare_pair(table, pk, pd.a, pd.b, p, side_a, side_b)
            found = traps.found(pk, pd.a, pd.b)
            said = {k for t, _ in found for k in t.when.get("a", {})}
            p.divergences = [d for d in p.divergences if d.b_param != "-" or d.a_param not in said]
            for t, fix in found:
                p.divergences.append(Divergence(p.kind, _where(pd.a), _where(pd.b), t.name, "-", t.name, "-", "-",
                                                fix, t.grade, t.message, trap=t.name))
            p.fix = _call_fix(table, pd.b, p.divergences)
            for d in p.divergences:
                acc = port.accepted(d.a_param, d.b_param, d.kind, (d.a_where, d.b_where))
                if acc is not None:
                    d.accepted = acc.reason
        pairs.append(p)
    pairs = _normalisation_pairs(pk, side_a, side_b, port, pairs)
    pairs.sort(key=lambda p: _pos(p.a) if p.a else _pos(p.b, later=True))
    c = Comparison(a_name, b_name, pairs)
    c.scopes = {k: ".".join(v.scope) or pairing.MODULE for side in (side_a, side_b) for k, v in side.places.items()}
    c.program = _program_differences(table, side_a, side_b, port)
    return c


def _normalisation_pairs(pk: Ports, side_a: Side, side_b: Side, port: PortFile, pairs: list[Pair]) -> list[Pair]:
    """The input normalisations of the two sides compared (rules/ports.toml `[normalisation]`): A's first
    against each of B's that normalises differently, B's calls without a difference paired too. A side with
    normalisation where the other has none lists it without partner (the other's may be outside the files).
    The table's own entries of those calls (torchvision Normalize, which has no counterpart) leave the list of
    calls without partner."""
    k = pk.normalisation
    fa, fb = side_a.normalisations, side_b.normalisations
    if k is None or not (fa or fb):
        return pairs
    at = {(f.path, f.line, f.column) for f in (*fa, *fb)}
    pairs = [p for p in pairs if p.a is not None and p.b is not None or _key(p.a or p.b) not in at]
    kind = "input normalisation"

    def entry(f) -> Entry:
        return Entry(f.path, f.line, f.column, f.framework, f.api, "image-transform", "", f.callee)

    if not fa or not fb:
        return pairs + [Pair(kind, entry(f), None) if fa else Pair(kind, None, entry(f)) for f in (fa or fb)]
    first = fa[0]
    out = [Pair(kind, entry(f), None) for f in fa[1:] if not f.effect.same(first.effect)]
    for f in fb:
        p = Pair(kind, entry(first), entry(f), evidence=["both sides normalise their input"])
        ea, eb = first.effect, f.effect
        if not (ea.known() and eb.known()):
            p.unknown.append(Unknown("normalisation", ea.shown(), "normalisation", eb.shown(),
                                     "the normalisation's arguments cannot be read statically"))
        elif not ea.same(eb):
            spelled = normalise.write(k, ea, f.framework)
            fix = spelled or f"normalise as A does: {ea.shown()}"
            d = Divergence(kind, f"{first.path}:{first.line}", f"{f.path}:{f.line}", k.name, ea.shown(), k.name,
                           eb.shown(), ea.shown(), fix, k.grade if spelled else APPROXIMATE,
                           f"{k.message}: A {ea.shown()}; B {eb.shown()}", trap=k.name)
            acc = port.accepted(d.a_param, d.b_param, d.kind, (d.a_where, d.b_where))
            if acc is not None:
                d.accepted = acc.reason
            p.divergences.append(d)
        out.append(p)
    return pairs + out


def _key(e: Entry | None) -> tuple:
    return (e.path, e.line, e.column) if e else ()


def _label(x: Entry | None, y: Entry | None) -> str:
    names = [e.api.rsplit(".", 1)[-1] for e in (x, y) if e is not None]
    return " ↔ ".join(dict.fromkeys(names))


def _explicit(e: Entry) -> set[str]:
    return {h.name for h in e.params if h.source == EXPLICIT}


def _pos(e: Entry, later: bool = False) -> tuple:
    return (later, e.path, e.line, e.column)


def _where(e: Entry) -> str:
    return f"{e.path}:{e.line}"


def _norm(value: str, pk: Ports) -> str:
    for prefix in pk.ignored_prefixes:
        value = value.replace(prefix, "")
    return value


def _compare_pair(table: Table, pk: Ports, ea: Entry, eb: Entry, pair: Pair, side_a: Side, side_b: Side) -> None:
    a_api, b_api = table.apis.get(ea.api), table.apis.get(eb.api)
    if a_api is None or b_api is None:
        return
    kind = pair.kind
    eq = equivalences(table)
    a_atoms, b_atoms = _split(a_api, ea), _split(b_api, eb)
    out = pair.divergences
    matched_b: set[str] = set()
    for a_key, (a_value, ha) in a_atoms.items():
        base = a_key.split("[", 1)[0]
        lookup = a_key[a_key.index("[") + 1:-1] if "[" in a_key else a_key
        b_key = _other_name(a_api, b_api, lookup, b_atoms) if "[" in a_key else _other_name(a_api, b_api, base, b_atoms)
        if b_key is None:
            d = _convention(eq, pk, ea, eb, ha, kind, True, side_a, side_b)
            if d:
                out.append(d)
            continue
        matched_b.add(b_key)
        b_value, hb = b_atoms[b_key]
        b_param = b_key.split("[", 1)[0]
        if UNKNOWN in (ha.source, hb.source):
            why = ha.note if ha.source == UNKNOWN else hb.note
            pair.unknown.append(Unknown(base, a_value, b_param, b_value, why or "cannot be read statically"))
            continue
        d = _compare_values(table, eq, a_api, b_api, ea, eb, base, _norm(a_value, pk), b_key, b_param,
                            _norm(b_value, pk), kind, pair, pk, side_b.texts)
        if d:
            out.append(d)
    for b_key, (_, hb) in b_atoms.items():
        if b_key not in matched_b and "[" not in b_key:
            d = _convention(eq, pk, eb, ea, hb, kind, False, side_b, side_a)
            if d:
                out.append(d)


def _compare_values(table: Table, eq: Equivalences, a_api: Api, b_api: Api, ea: Entry, eb: Entry, a_param: str,
                    a_value: str, b_key: str, b_param: str, b_value: str, kind: str, pair: Pair | None = None,
                    pk: Ports | None = None, b_texts: dict[str, str] | None = None) -> Divergence | None:
    note = a_api.fact(a_param).note if a_api.param(a_param) else None
    note = note or (b_api.fact(b_param).note if b_api.param(b_param) else None) or ""
    strategy = eq.strategies.get(a_param) or eq.strategies.get(b_param)
    if strategy == "initializer":
        if pk is not None and pair is not None:
            da = effective.distribution(a_value, ea.framework, pk)
            db = effective.distribution(b_value, eb.framework, pk)
            if da is not None and db is not None:
                d = _compare_dists(pk, ea, eb, b_api, a_param, a_value, b_param, b_value, da, db, kind, pair)
                if d is None:
                    return None
                named = _compare_init(table, eq, ea, eb, b_api, a_param, a_value, b_param, b_value, kind, note)
                return named if named is not None and "(no known equivalent)" not in named.fix else d
        if pair is not None and eq.initializer_name(a_value, ea.framework) is None \
                and eq.initializer_name(b_value, eb.framework) is None and same(a_value, b_value) is None:
            pair.unknown.append(Unknown(a_param, a_value, b_param, b_value, "initialisers not known as distributions"))
            return None
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
                or _converted(table, a_api, a_param, b_api, b_param, a_value) or a_value)
    told = same(want, b_value, b_param)
    if not differs and told is None and pair is not None:
        pair.unknown.append(Unknown(a_param, a_value, b_param, b_value, "two expressions that cannot be told equal"))
        return None
    if not differs and told is not False:
        return None
    if b_api.param(b_param) is None:  # B holds it as a fact no argument sets (torch losses take logits)
        conv = eq.convention(a_param, _literal(a_value))
        rule = conv.advice.get(eb.framework) if conv else None
        words = pk.guards.get(a_param) if pk is not None else None
        if rule and words and b_texts and not any(re.search(rf"\b{re.escape(w)}\b", t)
                                                  for t in b_texts.values() for w in words):
            return None  # the advice is about something B does not have (a final softmax to drop)
        imp = b_api.implicit_fact(b_param)
        fix = rule or (imp.explicit.replace("{obj}", "layer") if imp and imp.explicit else
                       f"no argument of {eb.callee} sets {b_param}")
        return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value, want, fix,
                          EXACT if rule or (imp and imp.explicit) else APPROXIMATE, note)
    inexact = eq.inexactness(a_api.name, a_param, b_api.name, b_param) if across else None
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


def _compare_dists(pk: Ports, ea: Entry, eb: Entry, b_api: Api, a_param: str, a_value: str, b_param: str,
                   b_value: str, da, db, kind: str, pair: Pair) -> Divergence | None:
    """Two initialisers read as distributions: agreement when the family and every parameter agree (or the
    families are near and the listed parameters agree: agreement with a note), could-not-compare when a
    parameter is an expression that differs, else a divergence with B's spelling of A's distribution."""
    def agree(names) -> bool | None:
        verdicts = [same(_norm(da.get(n) or "None", pk), _norm(db.get(n) or "None", pk)) for n in names]
        return False if False in verdicts else None if None in verdicts else True

    if da.family == db.family:
        verdict = agree(sorted({k for k, _ in da.params} | {k for k, _ in db.params}))
    else:
        near = next((n for n in pk.near if n[0] == {da.family, db.family}), None)
        verdict = agree(near[1]) if near else False
        if verdict:
            pair.agreed.append(f"{a_param} {da.shown()} ≈ {b_param} {db.shown()}: {near[2]}")
            return None
    if verdict:
        return None
    if verdict is None:
        pair.unknown.append(Unknown(a_param, a_value, b_param, b_value,
                                    f"{da.shown()} vs {db.shown()}: parameters that cannot be told equal"))
        return None
    writer = pk.writer(da.family, eb.framework)
    tensor = _tensor(b_api, b_param)
    if writer is None:
        fix, grade = f"write {da.shown()} in {eb.display or eb.framework} (no known spelling)", APPROXIMATE
    else:
        values = dict(da.params)
        try:
            spelled = writer.write.format(w=f"layer.{tensor}", **values)
        except (KeyError, IndexError):
            spelled = None
        fix, grade = (f"{b_param}={spelled}" if "{w}" not in writer.write else spelled), EXACT
        if spelled is None:
            fix, grade = f"write {da.shown()} in {eb.display or eb.framework}", APPROXIMATE
    return Divergence(kind, _where(ea), _where(eb), a_param, a_value, b_param, b_value, da.shown(), fix, grade,
                      f"A draws from {da.shown()}, B from {db.shown()}")


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


def _padding_word(eq: Equivalences, v):
    """A padding word in its canonical spelling ('VALID' -> 'valid'); anything else as it is."""
    for word in ("none", "same"):
        if isinstance(v, str) and v in eq.padding.get(f"{word}_also", ()):
            return eq.padding[word]
    return v


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
    v = _padding_word(eq, v)
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
    if pa is None and _padding_word(eq, _literal(a_value)) == eq.padding["same"]:
        return None  # 'same' with a stride above 1 or an even kernel: a port trap (traps.py), not a value
    explicit = eq.padding.get("explicit", {}).get(eb.framework)
    words = eq.padding.get("words", {}).get(eb.framework)
    same_b = _pads(eq, eb, repr(eq.padding["same"])) if words else None
    if pa is None:
        want, grade = a_value, APPROXIMATE
    elif words and set(pa) == {0}:
        want, grade = words["none"], EXACT
    elif words and same_b is not None and _equal(same_b, pa):
        want, grade = words["same"], EXACT
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


def _convention(eq: Equivalences, pk: Ports, e: Entry, other: Entry, h: Hyper, kind: str, a_side: bool,
                side_e: Side | None = None, side_other: Side | None = None) -> Divergence | None:
    """A parameter one side has and the other framework lacks, when it changes what the code means."""
    conv = eq.convention(h.name, _literal(h.value))
    if conv is None or other.framework not in conv.advice or h.source == UNKNOWN:
        return None
    texts = {**(side_e.texts if side_e else {}), **(side_other.texts if side_other else {})}
    words = pk.guards.get(h.name)
    if a_side and words and side_other is not None and side_other.texts and not any(
            re.search(rf"\b{re.escape(w)}\b", t) for t in side_other.texts.values() for w in words):
        return None  # the advice is about something the other side does not have (a softmax to drop)
    handled = _layout_handled(pk, h.name, texts)
    if a_side:  # A (e) has it, B (other) lacks it: tell how B's framework matches
        d = Divergence(kind, _where(e), _where(other), h.name, h.value, "-", "-", "-", conv.advice[other.framework],
                       EXACT, "")
    else:
        want = conv.match.get(other.framework)
        if want is None:
            return None
        d = Divergence(kind, _where(other), _where(e), "-", "-", h.name, h.value, want, f"{h.name}={want}", EXACT,
                       conv.advice[other.framework])
    if handled:
        d.accepted = handled
    return d


def _layout_handled(pk: Ports, param: str, texts: dict[str, str]) -> str:
    """Why a layout difference is handled in the code itself (an explicit permutation of the input), or ''."""
    if param not in pk.layout_params:
        return ""
    for path, text in texts.items():
        flat = re.sub(r"\s+", "", text)
        for perm in pk.permutations:
            at = flat.find(re.sub(r"\s+", "", perm))
            if at >= 0:
                line = _line_of(text, perm)
                return f"handled in the code: {path}:{line} permutes the layout with {perm}"
    return ""


def _line_of(text: str, perm: str) -> int:
    pattern = r"\s*".join(re.escape(c) for c in re.sub(r"\s+", "", perm))
    m = re.search(pattern, text)
    return text.count("\n", 0, m.start()) + 1 if m else 0


def _call_fix(table: Table, eb: Entry, divergences: list[Divergence]) -> str:
    """B's call with the divergent arguments written in (the one-line fix of the pair), or '' when there is
    none or it could not be written safely (rewrite.rewrite)."""
    wanted: dict[str, str] = {}
    for d in divergences:
        if d.trap or d.accepted or not d.fix.startswith(f"{d.b_param}="):
            continue
        kw = keywords_of(d.fix)
        if kw is None:
            continue
        for k, v in kw.items():
            wanted.setdefault(k, v)
    if not wanted:
        return ""
    return rewrite(eb.callee, eb.args, wanted) or ""


def _join(*parts: str | None) -> str:
    return "; ".join(p.rstrip(".") for p in parts if p)


# -- input ------------------------------------------------------------------------------------------
def load_side(path: Path, table: Table, rules) -> Side:
    """A side of the comparison: a Python file or folder (effective values, places, program settings), or a
    JSON manifest (its values as recorded; pairing then has no structure to go by)."""
    from defaultlint.api import ReadError, read_source
    from defaultlint.audit.manifest import entries_for_text, from_json
    from defaultlint.core import program
    from defaultlint.core.checker import module_of
    from defaultlint.core.resolver import BudgetExceeded
    from defaultlint.core.text import parse
    from defaultlint.project.discovery import discover
    from defaultlint.project.modules import ProjectModules

    if path.suffix == ".json":
        return Side(from_json(path.read_text(encoding="utf-8")))
    files, skipped = discover([path], Path.cwd())
    errors = [f"{s.path}: {s.reason}" for s in skipped]
    pk = ports(table.root)
    side = Side([])
    project = ProjectModules(table, files, lambda p: read_source(p).text)
    helpers = effective.Helpers()
    trees = {}
    for f in files:
        try:
            src = read_source(f)
        except ReadError as e:
            errors.append(f"{f}: {e}")
            continue
        name = str(f)
        side.entries.extend(entries_for_text(src.text, name, table, rules))
        side.texts[name] = src.text
        tree, _ = parse(src.text, name)
        if tree is None:
            continue
        trees[name] = tree
        helpers.add_module(tree)
        try:
            module = module_of(table, src.text, tree)
        except BudgetExceeded:
            continue
        side.places.update(pairing.places(tree, name, module.resolver.stored, pk.ignored_prefixes))
        side.normalisations.extend(normalise.find(pk.normalisation, module, name))
        states = program.states(module, rules.targets, name, project)
        if states is not None:
            side.programs = True
            side.roots |= program.imported_roots(module)
            for st in states:
                if st.written is not None:
                    side.settings.setdefault(st.flag.name, set()).add(st.written or "set")
    if errors:
        raise ValueError("; ".join(errors))
    methods = {fw.name: frozenset(fw.tensor_methods) for fw in table.frameworks.values()}
    effective.make_effective(side.entries, trees, helpers, methods)
    return side


def _program_differences(table: Table, a: Side, b: Side, port: PortFile) -> list[Divergence]:
    """Program-level precision and determinism settings that differ between two programs: for each flag of
    A's framework with a counterpart in B's, the value each runs under (set by the program, or the default of
    the targeted release; core/program.py)."""
    from defaultlint.core.program import value_in

    if not (a.programs and b.programs):
        return []
    out = []
    seen = set()
    for flag in table.program.flags:
        other = table.program.flag(flag.counterpart) if flag.counterpart else None
        if other is None or flag.value is None or other.value is None or \
                not (a.roots.intersection(flag.imports) and b.roots.intersection(other.imports)):
            continue
        if (other.name, flag.name) in seen:
            continue
        seen.add((flag.name, other.name))
        va, ra, _ = value_in(table, flag, {})
        vb, rb, _ = value_in(table, other, {})
        set_a, set_b = flag.name in a.settings, other.name in b.settings
        if set_a and set_b:
            continue  # both programs state it: compare the statements themselves
        shown_a = _written(a.settings[flag.name]) if set_a else \
            f"{va} ({(flag.shown or {}).get(va, 'default')}, {ra})"
        shown_b = _written(b.settings[other.name]) if set_b else \
            f"{vb} ({(other.shown or {}).get(vb, 'default')}, {rb})"
        if not set_a and not set_b and same(va or "", vb or "") is True:
            continue
        d = Divergence("program", a.entries[0].path if a.entries else "A", b.entries[0].path if b.entries else "B",
                       flag.name, shown_a, other.name, shown_b, "-",
                       f"state {other.label} explicitly in both programs (defaultlint --select {flag.code},{other.code} "
                       f"--fix inserts the statements)", EXACT, f"{flag.label} vs {other.label}")
        acc = port.accepted(flag.name, other.name, "program", ())
        if acc is not None:
            d.accepted = acc.reason
        out.append(d)
    return out


def _written(values: set) -> str:
    """What a side's programs write for a flag (`False`, or `set to False / True` when they differ)."""
    return f"set to {' / '.join(sorted(values))} by the program"


# -- output -----------------------------------------------------------------------------------------
@dataclass
class Group:
    """Identical divergences over many pairs, shown once with their places."""

    first: Divergence
    places: list[tuple[str, str]]


def groups(ds: list[Divergence]) -> list[Group]:
    out: dict[tuple, Group] = {}
    for d in ds:
        key = (d.kind, d.a_param, d.a_value, d.b_param, d.b_value, d.fix, d.grade, d.note, d.accepted)
        if key in out:
            out[key].places.append((d.a_where, d.b_where))
        else:
            out[key] = Group(d, [(d.a_where, d.b_where)])
    return list(out.values())


def to_json(c: Comparison) -> str:
    def where(e: Entry | None) -> str | None:
        return _where(e) if e else None

    data = {
        "a": c.a, "b": c.b,
        "summary": _counts(c),
        "divergences": [asdict(d) for d in c.divergences],
        "accepted": [asdict(d) for d in c.accepted],
        "could_not_compare": [{"a": where(p.a), "b": where(p.b), "kind": p.kind, **asdict(u)} for p, u in c.unknowns],
        "pairs": [{"kind": p.kind, "a": where(p.a), "b": where(p.b), "a_api": p.a.api if p.a else None,
                   "b_api": p.b.api if p.b else None, "fix": p.fix, "evidence": p.evidence, "agreed": p.agreed,
                   "divergences": sum(not d.accepted for d in p.divergences)} for p in c.pairs],
        "unpaired": [{"side": "a" if p.a else "b", "where": _where(p.a or p.b), "api": (p.a or p.b).api,  # type: ignore
                      "scope": _scope(c, p.a or p.b)} for p in c.unpaired],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _scope(c: Comparison, e: Entry) -> str:
    return c.scopes.get((e.path, e.line, e.column), pairing.MODULE)


def _line(d: Divergence) -> str:
    if d.trap:
        return f"port trap {d.trap}"
    a = f"{d.a_param}={d.a_value}" if d.a_param != "-" else "(no such parameter)"
    b = f"{d.b_param}={d.b_value}" if d.b_param != "-" else "(no such parameter)"
    return f"{a} vs {b}"


def _places(g: Group, limit: int = 6) -> str:
    shown = [f"{a} ↔ {b}" for a, b in g.places[:limit]]
    more = len(g.places) - limit
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


def _counts(c: Comparison) -> dict:
    ds = c.divergences
    return {"paired": sum(p.a is not None and p.b is not None for p in c.pairs), "divergences": len(ds),
            "distinct": len(groups(ds)), "exact": sum(d.grade == EXACT for d in ds),
            "approximate": sum(d.grade == APPROXIMATE for d in ds), "traps": sum(bool(d.trap) for d in ds),
            "program": sum(d.kind == "program" for d in ds), "accepted": len(c.accepted),
            "could_not_compare": len(c.unknowns), "unpaired": len(c.unpaired)}


def _summary(c: Comparison) -> str:
    n = _counts(c)
    return (f"{n['paired']} paired calls, {n['divergences']} divergences in {n['distinct']} distinct kinds "
            f"({n['exact']} with an exact fix, {n['approximate']} approximate; {n['traps']} port traps, "
            f"{n['program']} program settings), {n['accepted']} accepted, {n['could_not_compare']} values could "
            f"not be compared, {n['unpaired']} calls without partner.")


def to_markdown(c: Comparison) -> str:
    out = [f"# Port audit: `{c.a}` → `{c.b}`", "", _summary(c), ""]
    if c.divergences:
        out += ["| Kind | A value vs B value | Make B match A | Grade | Places (A ↔ B) | Note |",
                "|---|---|---|---|---|---|"]
        for g in groups(c.divergences):
            d = g.first
            cells = [d.kind, f"`{_line(d)}`", f"`{d.fix}`", d.grade, f"{len(g.places)}: {_places(g)}", d.note]
            out.append("| " + " | ".join(x.replace("|", "\\|") for x in cells) + " |")
    fixes = [p for p in c.pairs if p.fix]
    if fixes:
        out += ["", "Calls of B rewritten:", ""] + [f"- `{p.b and _where(p.b)}`: `{p.fix}`" for p in fixes]
    if c.unknowns:
        out += ["", "Could not compare (a value that cannot be read statically is never taken for agreement):", ""]
        for p, u in c.unknowns:
            out.append(f"- `{_where(p.a)}` ↔ `{_where(p.b)}` {p.kind}: `{u.a_param}={u.a_value}` vs "  # type: ignore
                       f"`{u.b_param}={u.b_value}`: {u.why}")
    if c.accepted:
        out += ["", "Accepted:", ""]
        out += [f"- {g.first.kind} `{_line(g.first)}` ({len(g.places)}): {g.first.accepted}" for g in groups(c.accepted)]
    notes = [(p, n) for p in c.pairs for n in p.agreed]
    if notes:
        out += ["", "Agreements with a caveat:", ""]
        out += [f"- `{_where(p.a)}` ↔ `{_where(p.b)}`: {n}" for p, n in notes]  # type: ignore
    if c.unpaired:
        out += ["", "Without partner, by scope:", ""]
        for label, items in _unpaired_by_scope(c):
            out.append(f"- {label}: " + ", ".join(f"`{_where(e)}` {e.api.rsplit('.', 1)[-1]}" for e in items))
    out += ["", "Pairs and their evidence:", ""]
    out += [f"- `{_where(p.a)}` ↔ `{_where(p.b)}` {p.kind}: {'; '.join(p.evidence)}"  # type: ignore
            for p in c.pairs if p.a and p.b]
    return "\n".join(out) + "\n"


def _unpaired_by_scope(c: Comparison) -> list[tuple[str, list[Entry]]]:
    out: dict[str, list[Entry]] = {}
    for p in c.unpaired:
        e = p.a or p.b
        out.setdefault(f"only in {'A' if p.a else 'B'}, {_scope(c, e)}", []).append(e)  # type: ignore
    return list(out.items())


def print_rich(console, c: Comparison) -> None:
    from rich.markup import escape

    console.print(f"[bold]{escape(c.a)} → {escape(c.b)}[/bold]")
    console.print(_summary(c), markup=False)
    for g in groups(c.divergences):
        d = g.first
        colour = "green" if d.grade == EXACT else "yellow"
        console.print(f"\n[bold]{escape(d.kind)}[/bold]  {escape(_line(d))}  "
                      f"[dim]({len(g.places)} place{'s' if len(g.places) != 1 else ''})[/dim]")
        console.print(f"    → [cyan]{escape(d.fix)}[/cyan] [{colour}]({d.grade})[/{colour}]")
        if d.note:
            console.print(f"      [dim]{escape(d.note)}[/dim]")
        console.print(f"      at {escape(_places(g))}")
    fixes = [p for p in c.pairs if p.fix]
    if fixes:
        console.print("\n[bold]Calls of B rewritten[/bold]")
        for p in fixes:
            console.print(f"  {escape(_where(p.b))}: [cyan]{escape(p.fix)}[/cyan]")  # type: ignore[arg-type]
    if c.unknowns:
        console.print("\n[bold]Could not compare[/bold] [dim](never taken for agreement)[/dim]")
        for p, u in c.unknowns:
            console.print(f"  {escape(_where(p.a))} ↔ {escape(_where(p.b))}  {escape(u.a_param)}={escape(u.a_value)} "  # type: ignore
                          f"vs {escape(u.b_param)}={escape(u.b_value)}: [dim]{escape(u.why)}[/dim]")
    if c.accepted:
        console.print("\n[bold]Accepted[/bold]")
        for g in groups(c.accepted):
            console.print(f"  {escape(g.first.kind)} {escape(_line(g.first))} ({len(g.places)}): "
                          f"[dim]{escape(g.first.accepted)}[/dim]")
    if c.unpaired:
        console.print("\n[bold]Without partner, by scope[/bold]")
        for label, items in _unpaired_by_scope(c):
            console.print(f"  [yellow]{escape(label)}[/yellow]: " + ", ".join(
                f"{escape(_where(e))} {escape(e.api.rsplit('.', 1)[-1])}" for e in items))
