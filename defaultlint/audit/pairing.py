"""Pairing the calls of two sides of a port by the structure of the code around them.

Each call has a place: the classes and functions enclosing it, the attribute or variable it is stored in
(and a Keras `name=`), and its non-literal argument expressions (`config.hidden_size`). Scopes (the
outermost class, else the outermost function, else the module) are matched by their names' words, leaving
out words that only say the framework (rules/ports.toml: TFBertSelfAttention <-> BertSelfAttention).
Within a matched pair of scopes, calls of one kind are aligned in order (an order-preserving alignment that
rewards shared attribute names and argument expressions), so an extra layer on either side stays without
partner instead of shifting every pair after it. Calls in scopes matched on neither side are aligned by kind
and order when one such scope on each side holds the kind, else only where they share a name or argument. Every pair carries its evidence; pins and exclusions (accept.PortFile)
come first.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from defaultlint.audit.manifest import Entry

MODULE = "<module>"


@dataclass(frozen=True)
class Place:
    scope: tuple[str, ...]  # enclosing classes and functions, outermost first
    names: frozenset[str]  # the attribute / variable it is stored in, and a name= string
    args: frozenset[str]  # non-literal argument expressions, normalised

    @property
    def key(self) -> str:
        return self.scope[0] if self.scope else MODULE


def places(tree: ast.Module, path: str, stored: dict[int, ast.expr], prefixes: tuple[str, ...]
           ) -> dict[tuple[str, int, int], Place]:
    """(path, line, column) -> the place of every call in the module."""
    out: dict[tuple[str, int, int], Place] = {}

    def norm(e: ast.expr) -> str:
        s = ast.unparse(e)
        for p in prefixes:
            s = s.replace(p, "") if s.startswith(p) else s
        return s

    def visit(node: ast.AST, scope: tuple[str, ...]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, scope + (child.name,))
                continue
            if isinstance(child, ast.Call):
                names = set()
                target = stored.get(id(child))
                if isinstance(target, ast.Attribute):
                    names.add(target.attr)
                elif isinstance(target, ast.Name):
                    names.add(target.id)
                args = set()
                for a in [*child.args, *(k.value for k in child.keywords)]:
                    if isinstance(a, (ast.Attribute, ast.Name, ast.BinOp, ast.Subscript)):
                        args.add(norm(a))
                for k in child.keywords:
                    if k.arg == "name" and isinstance(k.value, ast.Constant) and isinstance(k.value.value, str):
                        names.add(k.value.value)
                out[(path, child.lineno, child.col_offset + 1)] = Place(scope, frozenset(names), frozenset(args))
            visit(child, scope)

    visit(tree, ())
    return out


def words(name: str, framework_words: frozenset[str]) -> frozenset[str]:
    """The words of a class or function name that say what it is (`TFBertSelfAttention` -> bert, self, attention)."""
    parts = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)
    return frozenset(p.lower() for p in parts if p.lower() not in framework_words)


def similarity(a: str, b: str, framework_words: frozenset[str]) -> float:
    if a == b:
        return 1.0
    x, y = words(a, framework_words), words(b, framework_words)
    if not x or not y:
        return 0.0
    return len(x & y) / len(x | y)


def match_scopes(a: list[str], b: list[str], framework_words: frozenset[str], threshold: float = 0.6
                 ) -> dict[str, str]:
    """A's scope -> B's scope: the most similar names first (greedy), each used once."""
    scored = sorted(((similarity(x, y, framework_words), i, j) for i, x in enumerate(a) for j, y in enumerate(b)),
                    key=lambda t: (-t[0], t[1], t[2]))
    out: dict[str, str] = {}
    used: set[str] = set()
    for s, i, j in scored:
        if s < threshold:
            break
        if a[i] not in out and b[j] not in used:
            out[a[i]] = b[j]
            used.add(b[j])
    return out


def align(a: list, b: list, score) -> list[tuple]:
    """Order-preserving alignment maximising the summed scores of pairs; a pair scoring 0 or less is never made."""
    n, m = len(a), len(b)
    s = [[score(a[i], b[j]) for j in range(m)] for i in range(n)]
    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            take = s[i][j] + best[i + 1][j + 1] if s[i][j] > 0 else float("-inf")
            best[i][j] = max(best[i + 1][j], best[i][j + 1], take)
    out: list[tuple] = []
    i = j = 0
    while i < n and j < m:
        if s[i][j] > 0 and best[i][j] == s[i][j] + best[i + 1][j + 1]:
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


@dataclass
class Paired:
    a: Entry | None
    b: Entry | None
    evidence: list[str] = field(default_factory=list)


def _at(e: Entry) -> tuple[str, int, int]:
    return (e.path, e.line, e.column)


def pair(a: list[Entry], b: list[Entry], kind_of: dict[str, str], places_a: dict, places_b: dict,
         framework_words: frozenset[str], pins: list[tuple[Entry, Entry]] = ()) -> list[Paired]:
    """Pair A's calls with B's: pins first, then by matched scope, then by kind and order in unmatched scopes."""
    out: list[Paired] = []
    pinned = {id(x) for p in pins for x in p}
    for x, y in pins:
        out.append(Paired(x, y, ["pinned in the port file"]))
    a = [e for e in a if id(e) not in pinned and e.api in kind_of]
    b = [e for e in b if id(e) not in pinned and e.api in kind_of]
    empty = Place((), frozenset(), frozenset())

    def place(e: Entry, side: dict) -> Place:
        return side.get(_at(e), empty)

    scopes_a = list(dict.fromkeys(place(e, places_a).key for e in a))
    scopes_b = list(dict.fromkeys(place(e, places_b).key for e in b))
    matched = match_scopes(scopes_a, scopes_b, framework_words)
    matched_b = set(matched.values())

    def score(x: Entry, y: Entry) -> float:
        if kind_of[x.api] != kind_of[y.api] or (x.framework == y.framework and x.api != y.api):
            return 0.0
        px, py = place(x, places_a), place(y, places_b)
        return 1.0 + 2.0 * len(px.names & py.names) + 0.5 * len(px.args & py.args)

    def evidence(x: Entry, y: Entry, scoped: bool) -> list[str]:
        px, py = place(x, places_a), place(y, places_b)
        ev = [f"same kind ({kind_of[x.api]})"]
        if scoped:
            ev.append(f"scope {px.key} ↔ {py.key}" if px.key != py.key else f"scope {px.key}")
        else:
            ev.append("order among calls of scopes matched on neither side")
        if px.names & py.names:
            ev.append("stored as " + ", ".join(sorted(px.names & py.names)))
        if px.args & py.args:
            ev.append("shared arguments " + ", ".join(sorted(px.args & py.args)))
        return ev

    for sa in scopes_a:
        sb = matched.get(sa)
        if sb is None:
            continue
        xs = [e for e in a if place(e, places_a).key == sa]
        ys = [e for e in b if place(e, places_b).key == sb]
        for x, y in align(xs, ys, score):
            out.append(Paired(x, y, evidence(x, y, True) if x is not None and y is not None else []))
    rest_a = [e for e in a if place(e, places_a).key not in matched]
    rest_b = [e for e in b if place(e, places_b).key not in matched_b]
    kinds: list[str] = list(dict.fromkeys(kind_of[e.api] for e in (*rest_a, *rest_b)))
    for k in kinds:
        xs = [e for e in rest_a if kind_of[e.api] == k]
        ys = [e for e in rest_b if kind_of[e.api] == k]
        one_each = len({place(e, places_a).key for e in xs}) == 1 == len({place(e, places_b).key for e in ys})
        # order alone pairs only when one unmatched scope on each side holds the kind (a model and its port);
        # among several, a pair needs a shared attribute name or argument expression
        strict = (lambda x, y: score(x, y) if score(x, y) > 1.0 else 0.0)
        for x, y in align(xs, ys, score if one_each else strict):
            out.append(Paired(x, y, evidence(x, y, False) if x is not None and y is not None else []))
    return out


def scope_of(e: Entry, side: dict) -> str:
    p = side.get(_at(e))
    return ".".join(p.scope) if p and p.scope else MODULE
