"""Rule documentation generated from the table: `defaultlint rule CODE` and docs/rules.md."""

from __future__ import annotations

from defaultlint.table import FRAMEWORK_NAMES, Api, Table


def apis_for_code(table: Table, code: str) -> list[tuple[Api, str, str]]:
    """(api, parameter, default) for every table entry reported under `code`."""
    out = []
    for api in table.apis.values():
        for p in api.params:
            if table.is_hyper(api, p) and table.code_for(api, p.name) == code:
                out.append((api, p.name, api.fact(p.name).resolves or p.default or ""))
        for imp in api.implicit:
            if table.code_for(api, imp.name) == code:
                out.append((api, imp.name, imp.value))
    return out


def explain_rule(table: Table, code: str) -> str | None:
    c = table.codes.get(code)
    if c is None:
        return None
    lines = [f"# {c.code} ({c.name})", "", c.summary + ".", ""]
    lines += ["## What it does", "", _what_it_does(c.code), ""]
    lines += ["## Why is this bad?", "", c.why, ""]
    rows = apis_for_code(table, code)
    if rows:
        lines += ["## Defaults covered", "", "| API | parameter | default | other framework |", "|---|---|---|---|"]
        for api, name, value in rows:
            cp = table.counterpart_value(api, name)
            other = f"{FRAMEWORK_NAMES.get(cp[0].framework, cp[0].framework)} {cp[0].short_name}: {cp[1]}={cp[2]}" if cp else ""
            lines.append(f"| `{api.name}` | `{name}` | `{value}` | {other} |")
        lines.append("")
    lines += ["## Fix safety", "", _fix_safety(c.code), ""]
    lines += ["## Default selection", "", "In the default selection." if c.default
              else f"Not in the default selection: enable it with `--extend-select {c.code}` or `--select ALL`.", ""]
    return "\n".join(lines)


def _what_it_does(code: str) -> str:
    if code == "DL001":
        return "Reports a file that cannot be parsed, with the parser's message."
    if code == "DL901":
        return ("Reports a framework class handed over as a value (`norm_layer=nn.BatchNorm2d`), which other code "
                "constructs later with every default implicit.")
    if code == "DL902":
        return ("Reports an implicit parameter whose default changed within the framework releases the project "
                "supports (its `target-version` range).")
    return "Reports a framework call that leaves this hyperparameter to the framework's default."


def _fix_safety(code: str) -> str:
    if code == "DL001":
        return "No fix."
    if code == "DL901":
        return "Display-only: the finding shows the `functools.partial(...)` that writes the defaults down."
    if code == "DL902":
        return "Unsafe: the value written holds for the newest targeted release only."
    return ("Safe when the default is a static value for the targeted release: the fix writes exactly that value "
            "as a keyword argument. Unsafe when the default is resolved at run time (e.g. Keras `data_format=None` "
            "reads `image_data_format()`). Display-only when no argument can express it (torch weight "
            "initialisation): the message shows the explicit code instead.")
