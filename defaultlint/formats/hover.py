"""Hover: the framework call around a position, with every hyperparameter it sets or leaves implicit,
as the editor shows it. Pure: the values come from core.semantics, like every finding's."""

from __future__ import annotations

from dataclasses import dataclass, field

from defaultlint.core.binding import Call
from defaultlint.core.checker import Rules, fact_label, module_of
from defaultlint.core.resolver import BudgetExceeded
from defaultlint.core.semantics import CallValues, Source, shown_release
from defaultlint.core.table import Table, convert
from defaultlint.core.text import parse


@dataclass
class ParamInfo:
    name: str  # the parameter (or an implicit fact such as weight initialisation)
    value: str  # the source text when explicit, the table's value when implicit
    explicit: bool
    counterpart: str = ""  # "momentum=0.99 (≙ momentum=0.01 here)"
    note: str = ""


@dataclass
class CallInfo:
    api: str
    framework: str  # "PyTorch 2.13"
    counterpart: str  # "Keras BatchNormalization", "" when the table knows none
    start: int
    end: int
    params: list[ParamInfo] = field(default_factory=list)
    open_params: bool = False


def call_at(table: Table, rules: Rules, text: str, offset: int) -> CallInfo | None:
    """The innermost framework call around `offset`, with every hyperparameter it sets or leaves implicit."""
    tree, _ = parse(text, "-")
    if tree is None:
        return None
    try:
        module = module_of(table, text, tree)
    except BudgetExceeded:
        return None
    best: tuple[int, int, Call] | None = None
    for call in module.calls:
        start, end = module.lines.span(call.node)
        if start <= offset <= end and (best is None or end - start < best[1] - best[0]):
            best = (start, end, call)
    if best is None:
        return None
    start, end, call = best
    return call_info(table, module.values(call, rules.targets), start, end)


def call_info(table: Table, cv: CallValues, start: int, end: int) -> CallInfo:
    api = cv.api
    other = table.apis.get(api.counterpart or "")
    info = CallInfo(
        api.name, f"{table.display(api.framework)} {shown_release(cv.release, cv.target)}",
        f"{table.display(other.framework)} {other.short_name}" if other else "",
        start, end, open_params=cv.call is not None and cv.call.open_params,
    )
    for v in cv.values:
        if v.source is Source.EXPLICIT:
            info.params.append(ParamInfo(v.name, _short(v.written or "…"), True, _counterpart(table, api, v.name)))
            continue
        if not v.hyper or v.source is Source.NOT_IN_FORCE or v.value is None and v.source is not Source.UNKNOWN:
            continue  # a parameter that does not apply is left out, as manifest leaves it out
        notes = []
        if v.source is Source.ALIAS:
            notes.append(f"set as `{v.via}={_short(v.written or '')}`")
        elif v.source is Source.VERSIONED:
            notes.append("changes within the targeted releases: " + ", ".join(f"{x} ({s})" for x, s in v.variants))
        elif v.source is Source.RUNTIME:
            notes.append(f"the signature says {v.sentinel}; {api.fact(v.name).resolved_by or 'the framework'} "
                         f"resolves it")
        elif v.source in (Source.CONDITIONAL, Source.UNKNOWN) and v.why:
            notes.append(v.why)
        name = fact_label(v.name).strip("`") if v.fact else v.name
        info.params.append(ParamInfo(name, _short(v.value or "?"), v.source is Source.ALIAS,
                                     _counterpart(table, api, v.name), "; ".join(notes)))
    return info


def _counterpart(table: Table, api, name: str) -> str:
    cp = table.counterpart_value(api, name)
    if cp is None:
        return ""
    other, oname, ovalue = cp
    if other.implicit_fact(oname) is not None:
        return f"{fact_label(oname).strip('`')}: {ovalue}"
    text = f"{oname}={ovalue}"
    converted = convert(api, name, ovalue)
    if converted is not None:
        text += f" (≙ {name}={converted} here)"
    return text


def _short(source: str, limit: int = 60) -> str:
    flat = " ".join(source.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cell(text: str) -> str:
    return f"`{text}`".replace("|", "\\|") if text else ""


def hover_markdown(info: CallInfo) -> str:
    head = f"**{info.api}** ({info.framework})"
    other = info.counterpart or "counterpart"
    rows = [head, "", f"| parameter | value | | {other} |", "|---|---|---|---|"]
    notes = []
    for p in info.params:
        kind = "explicit" if p.explicit else "*implicit*"
        rows.append(f"| `{p.name}` | {_cell(p.value)} | {kind} | {_cell(p.counterpart)} |")
        if p.note:
            notes.append(f"- `{p.name}`: {p.note}")
    if info.open_params:
        notes.append("- the `*`/`**` arguments may set parameters that cannot be seen here.")
    return "\n".join(rows + ([""] + notes if notes else []))
