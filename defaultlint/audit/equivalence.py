"""The equivalence knowledge `compare` uses, read from rules/equivalences.toml into typed form.

How two frameworks write the same initialiser or setting, which equivalences no argument makes exact
(and why), the conventions one side has and the other lacks, and the arguments a value needs besides
itself. The data and its meaning are documented in docs/table-format.md.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass, field

from defaultlint.core.table import Table


@dataclass(frozen=True)
class Initializer:
    name: str
    spelled: dict[str, str]
    grade: str  # exact | approximate
    note: str | None  # None: the common "same distribution" note applies
    splits: bool = False  # set on each part of a tensor held in parts (torch RNN biases), it gives the same result


@dataclass(frozen=True)
class Convention:
    param: str
    value: object  # the literal value
    advice: dict[str, str]  # framework lacking the parameter -> what it means and how to match it
    match: dict[str, str]  # framework lacking the parameter -> the value of it matching that framework


@dataclass(frozen=True)
class Equivalences:
    initializers: tuple[Initializer, ...]
    prefixes: tuple[str, ...]
    same_distribution: str
    terms: dict[str, str]
    styles: dict[str, dict]
    padding: dict
    tensor_parts: dict[str, tuple[str, ...]]
    strategies: dict[str, str]  # parameter -> comparison strategy
    facts_as_params: dict[str, tuple[str, str]]  # fact -> (parameter, value)
    spellings: dict[str, tuple[dict[str, str], ...]]  # parameter -> groups of framework -> value
    inexact: dict[tuple[str, str], tuple[str, bool, frozenset[str]]]  # (api, parameter) -> (reason, replaces
    # the note, the APIs of the other side it concerns: empty for any)
    conventions: tuple[Convention, ...]
    companions: dict[tuple[str, str], tuple[str, str]]  # (api, parameter) -> (arguments, off value)

    def initializer(self, name: str | None) -> Initializer | None:
        return next((i for i in self.initializers if i.name == name), None)

    def initializer_name(self, value: str, framework: str) -> str | None:
        """The canonical initialiser a spelling of `framework` denotes, if known."""
        def norm(s: str) -> str:
            s = s.strip().strip("'\"")
            for prefix in self.prefixes:
                s = s.removeprefix(prefix)
            return re.sub(r"[^a-z0-9]", "", s.lower().removesuffix("()"))

        target = norm(value.format(w=""))
        for init in self.initializers:
            spelled = init.spelled.get(framework)
            if spelled is not None and norm(self.qualified(spelled, framework).format(w="")) == target:
                return init.name
            if spelled is not None and norm(spelled.format(w="")) == target:
                return init.name
        for init in self.initializers:  # a framework spelling initialisers by class name: GlorotUniform()
            if self.styles.get(framework, {}).get("style") == "argument" and norm(init.name) == target:
                return init.name
        return None

    def qualified(self, spelled: str, framework: str) -> str:
        """A statement-style spelling with its namespace (kaiming_uniform_(...) -> torch.nn.init.kaiming_uniform_)."""
        ns = self.styles.get(framework, {}).get("namespace")
        if ns and not spelled.startswith(ns + "."):
            return f"{ns}.{spelled}"
        return spelled

    def inexactness(self, a_api: str, a_param: str, b_api: str, b_param: str) -> tuple[str, bool] | None:
        """(why, the reason replaces the note) when no argument makes A's and B's parameter exactly equal."""
        for (api, param), other in (((b_api, b_param), a_api), ((a_api, a_param), b_api)):
            x = self.inexact.get((api, param))
            if x is not None and (not x[2] or other in x[2]):
                return x[0], x[1]
        return None

    def convention(self, param: str, value: object) -> Convention | None:
        return next((c for c in self.conventions if c.param == param and _equal(c.value, value)), None)

    def explain_terms(self, code: str) -> list[str]:
        return [text for term, text in self.terms.items() if re.search(rf"\b{re.escape(term)}\b", code)]


def _equal(x, y) -> bool:
    return x == y and type(x) is type(y)


@functools.lru_cache(maxsize=8)
def _build(table_id: int, table: Table) -> Equivalences:
    eq = table.equivalences
    groups: dict[str, list[dict[str, str]]] = {}
    for s in eq.get("spelling", ()):
        groups.setdefault(s["param"], []).append(dict(s["spelled"]))
    inexact = {}
    for x in eq.get("inexact", ()):
        for api in x["apis"]:
            inexact[(api, x["param"])] = (x["reason"], x.get("replaces_note", False), frozenset(x.get("others", ())))
    return Equivalences(
        initializers=tuple(Initializer(i["name"], dict(i["spelled"]), i.get("grade", "exact"), i.get("note"),
                                       i.get("splits", False))
                           for i in eq["initializer"]),
        prefixes=tuple(eq["initializer_prefixes"]),
        same_distribution=eq["same_distribution"],
        terms=dict(eq.get("terms", {})),
        styles={k: dict(v) for k, v in eq["initializer_style"].items()},
        padding=dict(eq["conv_padding"]),
        tensor_parts={k: tuple(v) for k, v in eq.get("tensor_parts", {}).items()},
        strategies={c["param"]: c["strategy"] for c in eq.get("comparison", ())},
        facts_as_params={f["fact"]: (f["param"], f["value"]) for f in eq.get("fact_as_param", ())},
        spellings={k: tuple(v) for k, v in groups.items()},
        inexact=inexact,
        conventions=tuple(Convention(c["param"], ast.literal_eval(c["value"]), dict(c["advice"]),
                                     dict(c.get("match", {}))) for c in eq.get("convention", ())),
        companions={(c["api"], c["param"]): (c["with"], c["off"]) for c in eq.get("companion", ())},
    )


def equivalences(table: Table) -> Equivalences:
    return _build(id(table), table)


# -- rules/ports.toml: pairing words, initialisers as distributions, port traps ------------------------------
from defaultlint.audit import normalise as _normalise  # noqa: E402
from defaultlint.core import schema as _s  # noqa: E402

_DISTRIBUTION = _s.Shape("a distribution spelling", {
    "family": _s.Key(_s.STR, "the distribution's canonical family", required=True),
    "framework": _s.Key(_s.STR, "the framework spelling it", required=True),
    "names": _s.Key(_s.list_of(_s.STR), "function, tensor method, class or string names", required=True),
    "args": _s.Key(_s.list_of(_s.STR), "its arguments in positional order (the tensor left out)", required=True),
    "rename": _s.Key(_s.map_of(_s.STR, _s.STR), "argument -> the family's parameter name"),
    "defaults": _s.Key(_s.map_of(_s.STR, _s.EXPRESSION), "parameter defaults (after renaming)"),
    "fixed": _s.Key(_s.map_of(_s.STR, _s.EXPRESSION), "parameters the spelling fixes"),
    "write": _s.Key(_s.STR, "how to write it ({w}: the tensor, {param}: a value)", required=True),
})
_NEAR = _s.Shape("a near equivalence", {
    "families": _s.Key(_s.list_of(_s.STR), "two families", required=True),
    "params": _s.Key(_s.list_of(_s.STR), "the parameters that must agree", required=True),
    "note": _s.Key(_s.STR, "what differs", required=True),
})
_TRAP = _s.Shape("a port trap", {
    "name": _s.Key(_s.STR, "its name (accepting it names it)", required=True),
    "a_api": _s.Key(_s.list_of(_s.DOTTED), "A's call is one of these", required=True),
    "b_api": _s.Key(_s.list_of(_s.DOTTED), "B's call is one of these"),
    "b_framework": _s.Key(_s.STR, "B's call is of this framework"),
    "cross": _s.Key(_s.BOOL, "A and B of different frameworks"),
    "when": _s.Key(_s.Shape("a trap condition", {
        "a": _s.Key(_s.map_of(_s.STR, _s.STR), "conditions on A's parameters"),
        "b": _s.Key(_s.map_of(_s.STR, _s.STR), "conditions on B's parameters"),
        "complement": _s.Key(_s.list_of(_s.STR), "parameter names (either side) whose values add up to 1"),
    }), "when it applies"),
    "message": _s.Key(_s.STR, "what goes wrong", required=True),
    "fix": _s.Key(_s.STR, "how to match", required=True),
    "grade": _s.Key(_s.one_of("exact", "approximate"), "how closely the fix matches", required=True),
})
_NUMBER = _s.Type("a number", lambda v: None if isinstance(v, (int, float)) and not isinstance(v, bool)
                   else f"expected a number, got {type(v).__name__} {v!r:.60}")
_NORMALISATION = _s.Shape("[normalisation]", {
    "name": _s.Key(_s.STR, "the trap's name (accepting it names it)", required=True),
    "message": _s.Key(_s.STR, "what goes wrong", required=True),
    "grade": _s.Key(_s.one_of("exact", "approximate"), "how closely the fix matches", required=True),
    "mode": _s.Key(_s.Many(_s.Shape("a mode", {
        "name": _s.Key(_s.STR, "its name", required=True),
        "bgr": _s.Key(_s.BOOL, "the channels are reversed first"),
        "offset": _s.Key(_s.EXPRESSION, "per channel, of 0-255 values, RGB order", required=True),
        "scale": _s.Key(_s.EXPRESSION, "per channel, of 0-255 values, RGB order", required=True),
    })), "named normalisations"),
    "call": _s.Key(_s.Many(_s.Shape("a normalising call", {
        "framework": _s.Key(_s.STR, "its framework", required=True),
        "names": _s.Key(_s.list_of(_s.DOTTED), "its qualified names", required=True),
        "args": _s.Key(_s.list_of(_s.STR), "its arguments in positional order"),
        "defaults": _s.Key(_s.map_of(_s.STR, _s.EXPRESSION), "argument defaults"),
        "mode": _s.Key(_s.STR, "the mode it applies"),
        "mode_param": _s.Key(_s.STR, "the argument naming its mode"),
        "offset": _s.Key(_s.EXPRESSION, "arithmetic of its arguments"),
        "scale": _s.Key(_s.EXPRESSION, "arithmetic of its arguments"),
        "unit": _s.Key(_NUMBER, "what 1 is in 0-255 values (255 for a [0, 1] image)"),
    })), "calls that normalise"),
    "write": _s.Key(_s.Many(_s.Shape("a writer", {
        "framework": _s.Key(_s.STR, "the framework writing it", required=True),
        "write": _s.Key(_s.STR, "{mean}, {std}, {variance} in its unit", required=True),
        "unit": _s.Key(_NUMBER, "what 1 is in 0-255 values"),
        "mode": _s.Key(_s.STR, "how it writes a named mode ({mode})"),
        "bgr": _s.Key(_s.STR, "the words before it when the channels are reversed"),
    })), "how each framework writes a normalisation"),
})
PORTS_FILE = _s.Shape("ports.toml", {
    "pairing": _s.Key(_s.Shape("[pairing]", {
        "framework_words": _s.Key(_s.list_of(_s.STR), "name words that say the framework", required=True),
        "ignored_prefixes": _s.Key(_s.list_of(_s.STR), "expression prefixes that change nothing", required=True),
    }), "how calls are paired", required=True),
    "distribution": _s.Key(_s.Many(_DISTRIBUTION), "initialisers as distributions", required=True),
    "near": _s.Key(_s.Many(_NEAR), "families that pass as the same"),
    "trap": _s.Key(_s.Many(_TRAP), "port traps"),
    "layout": _s.Key(_s.Shape("[layout]", {
        "params": _s.Key(_s.list_of(_s.STR), "parameters that state a layout", required=True),
        "permutations": _s.Key(_s.list_of(_s.STR), "permutations that convert between layouts", required=True),
    }), "a layout difference the code handles itself"),
    "normalisation": _s.Key(_NORMALISATION, "input normalisation compared between the sides"),
    "guard": _s.Key(_s.Many(_s.Shape("a guard", {
        "param": _s.Key(_s.STR, "a convention's parameter", required=True),
        "mentions": _s.Key(_s.list_of(_s.STR), "words the other side's code must contain for the advice to apply",
                           required=True),
    })), "conventions whose advice needs something on the other side"),
})


@dataclass(frozen=True)
class Spelling:
    family: str
    framework: str
    names: tuple[str, ...]
    args: tuple[str, ...]
    rename: dict
    defaults: dict
    fixed: dict
    write: str


@dataclass(frozen=True)
class Trap:
    name: str
    a_api: tuple[str, ...]
    b_api: tuple[str, ...]
    b_framework: str | None
    cross: bool
    when: dict
    message: str
    fix: str
    grade: str


@dataclass(frozen=True)
class Ports:
    framework_words: frozenset[str]
    ignored_prefixes: tuple[str, ...]
    spellings: tuple[Spelling, ...]
    near: tuple[tuple[frozenset[str], tuple[str, ...], str], ...]
    traps: tuple[Trap, ...]
    layout_params: frozenset[str] = frozenset()
    permutations: tuple[str, ...] = ()
    guards: dict = field(default_factory=dict)
    normalisation: object = None  # normalise.Knowledge

    def spelling(self, name: str, framework: str | None) -> Spelling | None:
        for s in self.spellings:
            if name in s.names and (framework is None or s.framework == framework):
                return s
        return None

    def writer(self, family: str, framework: str) -> Spelling | None:
        return next((s for s in self.spellings if s.family == family and s.framework == framework), None)


def load_ports(data: dict) -> Ports:
    _s.validate(data, PORTS_FILE, "ports.toml")
    return Ports(
        framework_words=frozenset(w.lower() for w in data["pairing"]["framework_words"]),
        ignored_prefixes=tuple(data["pairing"]["ignored_prefixes"]),
        spellings=tuple(Spelling(d["family"], d["framework"], tuple(d["names"]), tuple(d["args"]),
                                 dict(d.get("rename", {})), dict(d.get("defaults", {})), dict(d.get("fixed", {})),
                                 d["write"]) for d in data["distribution"]),
        near=tuple((frozenset(n["families"]), tuple(n["params"]), n["note"]) for n in data.get("near", ())),
        traps=tuple(Trap(t["name"], tuple(t["a_api"]), tuple(t.get("b_api", ())), t.get("b_framework"),
                         t.get("cross", False), dict(t.get("when", {})), t["message"], t["fix"], t["grade"])
                    for t in data.get("trap", ())),
        layout_params=frozenset(data.get("layout", {}).get("params", ())),
        permutations=tuple(data.get("layout", {}).get("permutations", ())),
        guards={g["param"]: tuple(g["mentions"]) for g in data.get("guard", ())},
        normalisation=_normalise.load(data.get("normalisation")),
    )


@functools.lru_cache(maxsize=8)
def ports(root: str) -> Ports:
    """rules/ports.toml of the table whose folder is `root` (an empty knowledge when there is none)."""
    import sys
    from pathlib import Path

    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    path = Path(root) / "ports.toml" if root else None
    if path is None or not path.is_file():
        return Ports(frozenset(), (), (), (), ())
    with path.open("rb") as f:
        return load_ports(tomllib.load(f))
