"""Rule documentation generated from the table: `defaultlint rule CODE` and docs/rules.md."""

from __future__ import annotations

from defaultlint.core.table import FRAMEWORK_NAMES, Api, Table


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
    example = _example(table, rows)
    if example:
        before, after = example
        lines += ["## Example", "", "```python", before, "```", "", "Use instead:", "", "```python", after, "```", ""]
    lines += ["## Fix safety", "", _fix_safety(c.code), ""]
    lines += ["## Default selection", "", "In the default selection." if c.default
              else f"Not in the default selection: enable it with `--extend-select {c.code}` or `--select ALL`.", ""]
    return "\n".join(lines)


def _example(table: Table, rows: list[tuple[Api, str, str]]) -> tuple[str, str] | None:
    """A call that leaves the first covered parameter implicit, and the same call with it written out."""
    for api, name, value in rows:
        p = api.param(name)
        if p is None or p.kind == "positional-only" or api.kind == "method":
            continue
        required = [q.name for q in api.params if q.default is None and q.kind in ("positional-only",
                                                                                 "positional-or-keyword")]
        call = f"{api.name}({', '.join(required)}"
        sep = ", " if required else ""
        return call + ")", f"{call}{sep}{name}={value})"
    return None


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


def rules_markdown(table: Table) -> str:
    """docs/rules.md: every code, in ruff's shape, generated from the table (a test keeps it current)."""
    out = [
        "# Rules",
        "",
        "Generated from the default table by `python -m defaultlint.formats.ruledoc --write docs/rules.md`; do not edit.",
        "",
        "| code | name | default selection | summary |",
        "|---|---|---|---|",
    ]
    for c in table.codes.values():
        out.append(f"| [{c.code}](#{c.code.lower()}-{c.name}) | {c.name} | {'yes' if c.default else ''} | {c.summary} |")
    out.append("")
    for c in table.codes.values():
        text = explain_rule(table, c.code) or ""
        text = text.replace(f"# {c.code} ({c.name})", f"## {c.code}-{c.name}", 1)
        out.append(text.replace("\n## ", "\n### "))
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    import argparse
    import sys
    from pathlib import Path

    from defaultlint.core.table import load_table

    parser = argparse.ArgumentParser(description="Write docs/rules.md from the table.")
    parser.add_argument("--write", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args()
    text = rules_markdown(load_table())
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
