"""Output formats: findings rendered for terminals, CI systems and editors.

The registry names each format and where its renderer lives; renderers are imported only when used, so
that `--help` and the choices of `--output-format` cost no import of the checker. Every machine format's
renderer is `render(results, table) -> str`, the whole report.
"""

from __future__ import annotations

import importlib

# format -> (module, function) rendering the whole report (the machine formats)
MACHINE = {
    "json": ("defaultlint.formats.jsonout", "render_json"),
    "json-lines": ("defaultlint.formats.jsonout", "render_json_lines"),
    "github": ("defaultlint.formats.ci", "render_github"),
    "gitlab": ("defaultlint.formats.ci", "render_gitlab"),
    "sarif": ("defaultlint.formats.sarif", "render_sarif"),
    "junit": ("defaultlint.formats.ci", "render_junit"),
    "lsp": ("defaultlint.formats.lsp", "render_lsp"),
}
# formats printed for people with the run's summary (defaultlint.formats.report)
TEXT = ("full", "concise")
FORMATS = (*TEXT, *MACHINE)
MACHINE_FORMATS = tuple(MACHINE)


def render(fmt: str, results, table) -> str:
    """The whole report in one of MACHINE_FORMATS."""
    try:
        module, function = MACHINE[fmt]
    except KeyError:
        raise ValueError(f"unknown output format {fmt!r}; known: {', '.join(FORMATS)}") from None
    return getattr(importlib.import_module(module), function)(results, table)
