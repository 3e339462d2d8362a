"""What an expression refers to, as the resolver works it out: typed references instead of marked strings.

    Path("torch.nn.Linear")                      an object reached through imports (module attribute path)
    Instance(Path("keras.Sequential"))           the value a call of it returns
    Member(Instance(...), "fit")                 an attribute of such a value (a method of an instance)
    Subclass("keras.Model")                      a user class derived from a framework class
    Factory(Instance(Path("keras.Sequential")))  a user function whose every return is that instance

References are small frozen values: they are compared, hashed and remembered by the table's lookups.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True, slots=True)
class Path:
    name: str


@dataclass(frozen=True, slots=True)
class Instance:
    of: "Ref"


@dataclass(frozen=True, slots=True)
class Member:
    base: "Ref"
    name: str


@dataclass(frozen=True, slots=True)
class Subclass:
    base: str  # the framework class's qualified name (a subclass of a subclass keeps the framework base)
    own: frozenset[str] = frozenset()  # names the user classes define themselves: their methods are not the base's


@dataclass(frozen=True, slots=True)
class Factory:
    returns: Instance


Ref = Union[Path, Instance, Member, Subclass, Factory]


def attribute(base: Ref, name: str, canonical=lambda s: s) -> Ref | None:
    """`base.name`: a longer path for a path, a member of anything else (None for a builtin's attribute)."""
    if type(base) is Path:
        if base.name.startswith("builtins."):
            return None
        return Path(canonical(f"{base.name}.{name}"))
    return Member(base, name)


def called(callee: Ref) -> Ref:
    """What calling `callee` gives: a factory's instance, else an instance of the callee."""
    if type(callee) is Factory:
        return callee.returns
    return Instance(callee)
