"""The equivalence knowledge `compare` uses, read from rules/equivalences.toml into typed form.

How two frameworks write the same initialiser or setting, which equivalences no argument makes exact
(and why), the conventions one side has and the other lacks, and the arguments a value needs besides
itself. The data and its meaning are documented in docs/table-format.md.
"""

from __future__ import annotations

import ast
import functools
import re
from dataclasses import dataclass

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
    inexact: dict[tuple[str, str], tuple[str, bool]]  # (api, parameter) -> (reason, replaces the note)
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
            inexact[(api, x["param"])] = (x["reason"], x.get("replaces_note", False))
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
