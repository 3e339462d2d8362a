"""Rule documentation generated from the table: `defaultlint rule CODE` and docs/rules.md."""

from __future__ import annotations

from defaultlint.core.semantics import values_of
from defaultlint.core.table import Api, ApiKind, ParamKind, Table


def apis_for_code(table: Table, code: str) -> list[tuple[Api, str, str]]:
    """(api, parameter, value in force for a call passing nothing) for every entry reported under `code`."""
    out = []
    for api in table.apis.values():
        for v in values_of(table, api, None, {}).values:
            if v.hyper and v.value is not None and table.code_for(api, v.name) == code:
                out.append((api, v.name, v.value))
    return out


def explain_rule(table: Table, code: str, table_rows: bool = True) -> str | None:
    """The rule's Markdown explanation. `table_rows=False` lists the defaults covered as items instead of a
    table's rows, for a terminal too narrow for a table of long API names."""
    c = table.codes.get(code)
    if c is None:
        return None
    lines = [f"# {c.code} ({c.name})", "", c.summary + ".", ""]
    lines += ["## What it does", "", c.what, ""]
    lines += ["## Why is this bad?", "", c.why, ""]
    rows = apis_for_code(table, code)
    if rows:
        lines += ["## Defaults covered", ""]
        if table_rows:
            lines += ["| API | parameter | default | other framework |", "|---|---|---|---|"]
        for api, name, value in rows:
            cp = table.counterpart_value(api, name)
            other = f"{table.display(cp[0].framework)} {cp[0].short_name}: {cp[1]}={cp[2]}" if cp else ""
            if table_rows:
                lines.append(f"| `{api.name}` | `{name}` | `{value}` | {other} |")
            else:
                lines.append(f"- `{api.name}`: `{name}={value}`" + (f" (other framework: {other})" if other else ""))
        lines.append("")
    example = _example(table, rows)
    if example:
        before, after = example
        lines += ["## Example", "", "```python", before, "```", "", "Use instead:", "", "```python", after, "```", ""]
    lines += ["## Fix safety", "", c.fix_safety, ""]
    presets = [p.name for p in table.presets.values() if c.code in p.codes]
    in_presets = "".join(f" Added by the `{p}` preset (`--preset {p}`, on by itself when the project uses "
                         f"frameworks of two families)." if table.presets[p].auto else f" Added by the `{p}` preset."
                         for p in presets)
    lines += ["## Default selection", "", "In the default selection." if c.default
              else f"Not in the default selection: enable it with `--extend-select {c.code}` or `--select ALL`."
              + in_presets, ""]
    return "\n".join(lines)


def _example(table: Table, rows: list[tuple[Api, str, str]]) -> tuple[str, str] | None:
    """A call that leaves the first covered parameter implicit, and the same call with it written out."""
    for api, name, value in rows:
        p = api.param(name)
        if p is None or p.kind is ParamKind.POS_ONLY or api.kind is ApiKind.METHOD:
            continue
        required = [q.name for q in api.params if q.default is None and q.kind in (ParamKind.POS_ONLY,
                                                                                 ParamKind.POS_OR_KW)]
        call = f"{api.name}({', '.join(required)}"
        sep = ", " if required else ""
        return call + ")", f"{call}{sep}{name}={value})"
    return None


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
    in_preset = {code: p.name for p in table.presets.values() for code in p.codes}
    for c in table.codes.values():
        mark = "yes" if c.default else (f"preset `{in_preset[c.code]}`" if c.code in in_preset else "")
        out.append(f"| [{c.code}](#{c.code.lower()}-{c.name}) | {c.name} | {mark} | {c.summary} |")
    out.append("")
    if table.presets:
        out += ["## Presets", "",
                "A preset adds codes for one intent to the default selection (`preset = [\"NAME\"]` in "
                "`[tool.defaultlint]`, or `--preset NAME`; `--preset none` turns every preset off, the automatic "
                "one included). Defined in `rules/presets.toml`.", ""]
        for p in table.presets.values():
            out += [f"### {p.name}", "", p.description, "",
                    f"Codes: {', '.join(p.codes)}."
                    + (" On by itself when the project uses frameworks of two families (PyTorch, TensorFlow/Keras, JAX: declared "
                       "dependencies, or imports in the files checked) and the configuration names no preset "
                       "and no `select`; `port-from = \"keras\"` (or `\"torch\"`) turns it on." if p.auto else "")
                    + (" Its codes report only values the other framework does not share (a default that "
                       "means the same in both, such as Adam's learning rate 0.001, is no difference)."
                       if p.differences_only else ""), ""]
    for c in table.codes.values():
        text = explain_rule(table, c.code) or ""
        text = text.replace(f"# {c.code} ({c.name})", f"## {c.code}-{c.name}", 1)
        out.append(text.replace("\n## ", "\n### "))
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":  # pragma: no cover
    import argparse
    import sys
    from pathlib import Path

    from defaultlint.project.tables import load_table

    parser = argparse.ArgumentParser(description="Write docs/rules.md from the table.")
    parser.add_argument("--write", type=Path, help="file to write (default: standard output)")
    args = parser.parse_args()
    text = rules_markdown(load_table())
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
