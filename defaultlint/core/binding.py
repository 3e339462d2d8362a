"""Binding a call's arguments to an API's signature: which parameters it passes, and how."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from defaultlint.core.table import KW_ONLY, POS_ONLY, POS_OR_KW, VAR_POS, Api


@dataclass
class Call:
    """A framework call (or functools.partial of one) bound to its API's signature."""

    api: Api
    node: ast.Call
    provided: set[str]  # parameters the call passes, or that *args/**kwargs may pass
    explicit: dict[str, ast.expr]  # parameter -> the argument expression given for it
    keywords: dict[str, ast.expr]  # every name=value argument, including names the signature lacks (aliases)
    open_params: bool  # *args/**kwargs may supply parameters we cannot see
    partial: bool = False  # functools.partial(api, ...): the later call may still pass arguments
    other_overload: bool = False  # more positional arguments than the signature takes: a form the table lacks

    @property
    def positional_args(self) -> list[ast.expr]:
        return self.node.args[1:] if self.partial else self.node.args


def bind(api: Api, node: ast.Call, partial: bool = False, unpacked=None) -> Call:
    """Bind `node`'s arguments to `api`'s signature. `unpacked(expr)` tells what a `**expr` passes, when it
    can be told: (keys surely passed with their values, keys maybe passed), else None."""
    args = node.args[1:] if partial else node.args
    positional = [p for p in api.params if p.kind in (POS_ONLY, POS_OR_KW)]
    provided: set[str] = set()
    explicit: dict[str, ast.expr] = {}
    keywords: dict[str, ast.expr] = {}
    star = False
    for i, a in enumerate(args):
        if isinstance(a, ast.Starred):
            star = True
            break
        if i < len(positional):
            provided.add(positional[i].name)
            explicit[positional[i].name] = a
    if star:
        provided.update(p.name for p in positional)
    double_star = False
    for k in node.keywords:
        if k.arg is None:
            known = unpacked(k.value) if unpacked is not None else None
            if known is None:
                double_star = True
                continue
            sure, maybe = known
            for name, value in sure.items():
                provided.add(name)
                keywords[name] = value
                if api.param(name) is not None:
                    explicit[name] = value
            provided.update(maybe)
        else:
            provided.add(k.arg)
            keywords[k.arg] = k.value
            if api.param(k.arg) is not None:
                explicit[k.arg] = k.value
    if double_star:
        provided.update(p.name for p in api.params if p.kind in (POS_OR_KW, KW_ONLY))
    other_overload = not star and len(args) > len(positional) and not any(p.kind == VAR_POS for p in api.params)
    return Call(api, node, provided, explicit, keywords, star or double_star, partial, other_overload)
