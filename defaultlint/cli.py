"""The command line: `defaultlint [check] PATH...`, `defaultlint rule CODE`, `defaultlint rules`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

import click

from defaultlint import __version__
from defaultlint.project.config import ConfigError, Settings, load_settings, scan_families
from defaultlint.project.discovery import discover
from defaultlint.core.ftypes import FileResult
from defaultlint.project.tables import load_table

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class DefaultGroup(click.Group):
    """A group whose first argument, when it is not a command, is a path for `check` (`defaultlint src/`).
    Its help shows the options of `check` too: `defaultlint [OPTIONS] PATH...` is how it is mostly run."""

    def format_help(self, ctx, formatter):
        super().format_help(ctx, formatter)
        command = self.commands.get("check")
        if command is None:
            return
        with formatter.section("Options of `defaultlint [check] PATH...`"):
            formatter.write_dl([p.get_help_record(ctx) for p in command.get_params(ctx)
                                if isinstance(p, click.Option) and p.name != "help" and p.get_help_record(ctx)])

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        elif not args:
            args = ["check"]
        return super().parse_args(ctx, args)


@click.group(cls=DefaultGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="defaultlint")
def main() -> None:
    """Find the framework defaults that deep-learning code leaves implicit, and write them down."""
    from defaultlint.project.gcpause import own_process

    own_process(one_run=True)  # the command line (and the workers it forks) does one run and exits


def _split(values: tuple[str, ...]) -> list[str]:
    return [c.strip() for v in values for c in v.split(",") if c.strip()]


def _console(color: str, stream):
    from defaultlint.formats.terminal import console

    return console(color, stream)


from defaultlint.formats import FORMATS as OUTPUT_FORMATS, MACHINE_FORMATS, render  # the registry: no renderer imported


def _remember(ctx, param, value):
    ctx.meta[f"defaultlint.{param.name}"] = value
    return value


def _quiet_broken_pipe() -> None:
    """Point standard output at /dev/null, so that flushing it at exit raises nothing more."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _err(text: str) -> None:
    """One line to standard error, control characters escaped (file names may hold any)."""
    from defaultlint.formats.common import printable

    click.echo(printable(text), err=True)


def fail(message: str) -> "click.exceptions.Exit":
    _err(f"defaultlint: error: {message}")
    return click.exceptions.Exit(EXIT_ERROR)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (ALL for every hidden default).")
@click.option("--extend-select", multiple=True, help="Codes or prefixes to enable on top of the selection.")
@click.option("--ignore", multiple=True, help="Codes or prefixes to disable.")
@click.option("--preset", "preset", multiple=True, metavar="NAME",
              help="Add a preset's codes (port: values differing between PyTorch and Keras; none: no preset, not "
                   "even the automatic one). See `defaultlint rules --presets`.")
@click.option("--target-version", "target_version", multiple=True, metavar="FRAMEWORK=RANGE",
              help="Framework releases to report values for, e.g. torch=2.4 or 'torch=>=2.1,<2.7'.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default=None,
              help="How findings are printed (default: full; github, gitlab, sarif, junit for CI; lsp).")
@click.option("--statistics", is_flag=True, expose_value=False, callback=_remember,
              help="Print the number of findings per rule (and how many are fixable) instead of the findings.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--config", "config_path", type=click.Path(path_type=Path), help="Configuration file to use.")
@click.option("--stdin-filename", help="The name of the file read from standard input (for messages and config).")
@click.option("--fix/--no-fix", default=False, help="Write implicit defaults explicitly (safe fixes).")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply fixes that depend on version or run-time config.")
@click.option("--diff", is_flag=True, help="Print the diff the fixes would make; write nothing.")
@click.option("--fix-only", is_flag=True, help="Apply fixes but report no remaining findings.")
@click.option("--show-fixes", is_flag=True, help="List the fixes applied, file by file.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when a fix was applied, even if nothing is left.")
@click.option("--add-noqa", is_flag=True, help="Write `# noqa: CODE` on each finding's line instead of fixing.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", help="Colour the output.")
@click.option("-q", "--quiet", is_flag=True, help="Print findings only, no summary.")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks of internal errors.")
@click.option("--no-respect-gitignore", is_flag=True, help="Check files that .gitignore excludes.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache of findings.")
@click.option("--cache-dir", type=click.Path(path_type=Path), help="Where the cache lives (default: .defaultlint_cache).")
def check(paths, select, extend_select, ignore, preset, target_version, output_format, output_file, config_path,
          stdin_filename, fix, unsafe_fixes, diff, exit_zero, color, quiet, verbose, no_respect_gitignore,
          no_cache, cache_dir, fix_only, show_fixes, exit_non_zero_on_fix, add_noqa):
    """Check PATHS (files or folders; - for standard input) for implicit framework defaults."""
    try:
        code = _check(paths, select, extend_select, ignore, target_version, output_format, output_file, config_path,
                      stdin_filename, fix, unsafe_fixes, diff, exit_zero, color, quiet, no_respect_gitignore,
                      None if no_cache else (cache_dir or True),
                      fixing=FixOptions(fix_only, show_fixes, exit_non_zero_on_fix, add_noqa), verbose=verbose,
                      preset=preset)
    except ConfigError as e:
        raise fail(str(e)) from None
    except KeyboardInterrupt:
        raise fail("interrupted") from None
    except BrokenPipeError:  # the reader went away (`defaultlint src | head`): stop quietly, as ruff does
        _quiet_broken_pipe()
        raise click.exceptions.Exit(EXIT_FINDINGS) from None
    except Exception as e:  # an internal error is one clear line, never a traceback, unless --verbose
        from defaultlint.core.table import TableError  # imported here: a run from the cache never loads it

        if isinstance(e, TableError):
            raise fail(f"the default table is broken: {e}") from None
        if verbose:
            raise
        raise fail(f"internal error: {type(e).__name__}: {e} (run with --verbose for details)") from None
    raise click.exceptions.Exit(code)


def _check(paths, select, extend_select, ignore, target_version, output_format, output_file, config_path,
           stdin_filename, fix, unsafe_fixes, diff, exit_zero, color, quiet, no_respect_gitignore,
           cache_dir=None, fixing: "FixOptions | None" = None, verbose: bool = False, preset=()) -> int:
    from defaultlint.formats import report
    from defaultlint.formats.terminal import progress
    from defaultlint.project.source import ReadError, decode

    fixing = fixing or FixOptions()
    fix = fix or fixing.fix_only

    paths = list(paths) or [Path(".")]
    use_stdin = paths == [Path("-")]
    start = Path(stdin_filename) if (use_stdin and stdin_filename) else (paths[0] if paths else Path("."))
    settings = load_settings(config_path, start if start.exists() else Path.cwd())
    _apply_cli(settings, select, extend_select, ignore, target_version, no_respect_gitignore)
    if preset:
        settings.preset = _split(preset)
    unsafe = unsafe_fixes or settings.unsafe_fixes
    fmt = output_format or settings.output_format or "full"
    files, skipped, src = [], [], None
    if not use_stdin:
        files, skipped = discover(paths, settings.root, settings.exclude + settings.extend_exclude,
                                  settings.respect_gitignore)
    served, warm = None, None
    if files and cache_dir is not None and not (fix or diff or fixing.add_noqa):
        served, warm = _serve_from_cache(cache_dir, settings, files)
    table = None
    if served is None:  # anything to check: the table, validated, and a linter
        table = load_table()
        settings.validate(table)
    if use_stdin:
        try:
            src = decode(sys.stdin.buffer.read())
        except ReadError as e:
            src = e
    linter = None
    if served is None:
        from defaultlint.api import FixedFileResult, Linter, error_finding, lint_files

        if settings.needs_scan(table):  # an automatic preset: do the checked files import two families?
            settings.imported_families = scan_families(files, table, texts=[src.text] if hasattr(src, "text") else [])
        linter = Linter(settings, table)
    if fixing.add_noqa:
        if use_stdin or fix or diff:
            raise ConfigError("--add-noqa works on files, without --fix or --diff")
        return _add_noqa(linter, paths, settings, quiet)

    results: list[FileResult] = []
    notices: list[str] = []
    notes: list[str] = []  # what went wrong without stopping the run (counted; shown with --verbose)
    if use_stdin:
        name = stdin_filename or "-"
        linter.use_project()  # a program read from stdin counts its helper modules in the project too
        if isinstance(src, ReadError):  # undecodable input is a finding of the input, as it is for a file
            results.append(FileResult(name, [error_finding(name, str(src))], error=str(src)))
            src = None
        if src is None:
            pass
        elif fix or diff:
            outcome = linter.fix(src.text, name, unsafe)
            new, done = outcome.text, outcome.applied
            r = FixedFileResult(name, outcome.remaining, source=src.text, fixes_applied=len(done), applied=done,
                                fix_errors=outcome.errors)
            if new != src.text:
                r.fixed_source = new
            results.append(r)
            if fix and not diff:
                _report_problems(results, notes, verbose)
                sys.stdout.write(new)  # ruff's convention: the fixed text goes to stdout
                if fixing.show_fixes:
                    _show_fixes(results, sys.stderr)
                return _fix_exit(results, exit_zero, fixing)
        else:
            results.append(FileResult(name, linter.lint_text(src.text, name), source=src.text))
    else:
        notices.extend(f"{s.path}: {s.reason}" for s in skipped if not s.named)
        for s in skipped:  # a path the user named that cannot be checked is an error, as in ruff (never "passed")
            if s.named:
                from defaultlint.api import error_finding

                results.append(FileResult(s.path, [error_finding(s.path, s.reason)], error=s.reason))
        if served is not None:
            results.extend(served)
        else:
            cache = _open_cache(cache_dir, settings, linter, warm) if files and not (fix or diff) else None
            with progress(len(files), enabled=not quiet, color=color) as advance:
                results.extend(lint_files(linter, files, fix=fix or diff, unsafe=unsafe, write=fix and not diff,
                                          cache=cache, progress=advance, notes=notes))

    _report_problems(results, notes, verbose)
    out = open(output_file, "w", encoding="utf-8") if output_file else sys.stdout
    try:
        for n in notices:
            _err(f"defaultlint: warning: {n}")
        if diff:
            return _print_diff(results, out, quiet, exit_zero)
        fixed = sum(r.fixes_applied for r in results)
        if fixing.show_fixes:
            _show_fixes(results, out)
        if fixing.fix_only:
            if not quiet:
                click.echo(_fix_only_summary(results, fixed), err=True)
            return _fix_exit(results, exit_zero, fixing)
        if click.get_current_context().meta.get("defaultlint.statistics"):
            out.write(report.render_statistics(results, _rule_facts(table, warm), fmt))
        elif fmt in MACHINE_FORMATS:
            out.write(render(fmt, results, _rule_facts(table, warm)))
        elif fmt == "concise":
            out.write(report.render_concise(results))
            if not quiet:
                out.write(report.summary(results, fixed) + _not_fixable_note(results, fix) + "\n")
        else:
            colored = _colors(color if not output_file else "never", out)
            out.write(report.render_full(results, color=colored, width=_width(out)))
            if not quiet:
                out.write(report.summary(results, fixed) + _not_fixable_note(results, fix) + "\n")
    finally:
        if output_file:
            out.close()
    if any(r.error for r in results) and not exit_zero:
        return EXIT_FINDINGS
    return _fix_exit(results, exit_zero, fixing) if fix else _exit(results, exit_zero)


def _report_problems(results: list[FileResult], notes: list[str], verbose: bool) -> None:
    """Fixes that could not be computed and a worker pool that failed are never silent: counted on one
    line, each shown with --verbose."""
    failed = [f"{r.path}:{e}" for r in results for e in r.fix_errors]
    failed += [f"{r.path}:{f.location.row}:{f.location.column}: {f.code}: {f.fix.error}"
               for r in results if not r.fix_errors for f in r.findings if f.fix is not None and f.fix.error]
    if not failed and not notes:
        return
    if verbose:
        for line in failed:
            _err(f"defaultlint: fix could not be computed: {line}")
        for line in notes:
            _err(f"defaultlint: warning: {line}")
        return
    parts = []
    if failed:
        parts.append(f"{len(failed)} fix{'es' if len(failed) != 1 else ''} could not be computed")
    if notes:
        parts.append("the worker processes failed and checking went on in one process")
    _err(f"defaultlint: warning: {'; '.join(parts)} (--verbose shows why)")


def _rule_facts(table, warm):
    """What the formats say of each rule code: the table's, else (a run served from the cache) the facts of
    the cache's signed plan, else the table loaded now."""
    if table is not None:
        return table
    if warm is not None and warm.facts is not None:
        return warm.facts
    return load_table()


def _serve_from_cache(cache_dir, settings: Settings, files: list[Path]):
    """(the results of `files` all from the cache, or None; the cache read, to reuse), without the table."""
    from defaultlint.project.cache import UnsafeCache, default_dir, serve

    try:
        directory = Path(cache_dir) if cache_dir is not True else default_dir(settings.root, settings.cache_dir)
        return serve(directory, settings, files)
    except (UnsafeCache, OSError):  # said by _open_cache, on the run that checks
        return None, None


def _open_cache(cache_dir, settings: Settings, linter, read=None):
    """The cache for this run, or None when disabled (`--no-cache`, cache_dir None); `read`, the cache a
    failed attempt to serve the run read already, when it is the same."""
    from defaultlint.project.cache import Cache, UnsafeCache, default_dir, rules_fingerprint, table_fingerprint

    if cache_dir is None:
        return None
    if read is not None and read.rules_key == rules_fingerprint(linter.rules) \
            and read.table_digest == table_fingerprint(linter.table):
        return read
    try:
        directory = Path(cache_dir) if cache_dir is not True else default_dir(settings.root, settings.cache_dir)
        return Cache(directory, linter.table, linter.rules)
    except (UnsafeCache, OSError) as e:
        _err(f"defaultlint: warning: the cache is not used: {e}")
        return None


def _colors(color: str, stream) -> bool:
    """Whether the full format colours `stream`: decided as rich decides, but without importing it when
    the answer is plainly no (`never`, or `auto` on a pipe with no variable forcing colour)."""
    import os

    from defaultlint.formats.terminal import _isatty

    if color == "never":
        return False
    if color == "auto" and not _isatty(stream) and not any(
            v in os.environ for v in ("FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE")):
        return False
    console = _console(color, stream)
    return console.color_system is not None and not console.no_color


def _width(stream) -> int | None:
    """The columns to wrap the full format's notes to: the terminal's (COLUMNS overrides it), none on a pipe
    or in a file unless COLUMNS is set."""
    import os
    import shutil

    from defaultlint.formats.terminal import _isatty

    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    return shutil.get_terminal_size().columns if _isatty(stream) else None


def _exit(results: list[FileResult], exit_zero: bool) -> int:
    if exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if any(r.findings for r in results) else EXIT_OK


def _print_diff(results: list[FileResult], out, quiet: bool, exit_zero: bool) -> int:
    import difflib

    changed = 0
    for r in results:
        if r.fixed_source is None or r.source is None:
            continue
        changed += 1
        name = r.path
        out.writelines(difflib.unified_diff(
            r.source.splitlines(keepends=True), r.fixed_source.splitlines(keepends=True),
            fromfile=f"a/{name}", tofile=f"b/{name}",
        ))
    if not quiet:
        n = sum(r.fixes_applied for r in results)
        click.echo(f"Would fix {n} finding{'s' if n != 1 else ''} in {changed} file{'s' if changed != 1 else ''}."
                   if n else "No fixes available.", err=True)
    if exit_zero:
        return EXIT_OK
    return EXIT_FINDINGS if changed or any(_broken(r) for r in results) else EXIT_OK


# -- fixing: --fix-only, --show-fixes, --exit-non-zero-on-fix, --add-noqa --------------------------------
class FixOptions(NamedTuple):
    fix_only: bool = False
    show_fixes: bool = False
    exit_non_zero_on_fix: bool = False
    add_noqa: bool = False


def _broken(r: FileResult) -> bool:
    """A file that could not be read, parsed or written: never a success."""
    return bool(r.error) or any(f.code == "DL001" for f in r.findings)


def _fix_exit(results: list[FileResult], exit_zero: bool, fixing: FixOptions) -> int:
    """--fix: 0 when nothing is left; --fix-only: 0 unless a file is broken; either way 1 on a broken file."""
    if exit_zero:
        return EXIT_OK
    if any(_broken(r) for r in results):
        return EXIT_FINDINGS
    if fixing.exit_non_zero_on_fix and any(r.fixes_applied for r in results):
        return EXIT_FINDINGS
    if fixing.fix_only:
        return EXIT_OK
    return _exit(results, exit_zero)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def _fix_only_summary(results: list[FileResult], fixed: int) -> str:
    files = sum(1 for r in results if r.fixes_applied)
    left = sum(len(r.findings) for r in results)
    text = f"Fixed {_plural(fixed, 'finding')} in {_plural(files, 'file')}." if fixed else "No fixes applied."
    return text + (f" {_plural(left, 'finding')} left." if left else "")


def _not_fixable_note(results: list[FileResult], fixing: bool) -> str:
    """After --fix: say why findings are left (no argument can express them, or a fix could not be applied)."""
    if not fixing:
        return ""
    findings = [f for r in results for f in r.findings if f.code != "DL001"]
    display = sum(1 for f in findings if f.fix is None or f.fix.applicability == "display-only")
    failed = sum(1 for f in findings if f.fixable and f.fix and f.fix.applicability == "safe")
    parts = []
    if display:
        parts.append(f"{_plural(display, 'finding')} no argument can fix (the note shows the explicit code to write)")
    if failed:
        parts.append(f"{failed} whose fix could not be applied")
    return f" Left: {'; '.join(parts)}." if parts else ""


def _show_fixes(results: list[FileResult], out) -> None:
    for r in results:
        applied = getattr(r, "applied", None) or []
        if not applied:
            continue
        out.write(f"Fixed {_plural(len(applied), 'finding')} in {r.path}:\n")
        for f in applied:
            values = ", ".join(f"{n}={v}" for n, v in f.parameters)
            out.write(f"    {f.code} {f.api}: {values}\n")


def _add_noqa(linter, paths: list[Path], settings: Settings, quiet: bool) -> int:
    files, skipped = discover(paths, settings.root, settings.exclude + settings.extend_exclude,
                              settings.respect_gitignore)
    for s in skipped:
        _err(f"defaultlint: warning: {s.path}: {s.reason}")
    results = [linter.add_noqa_file(f) for f in files]
    added = sum(r.fixes_applied for r in results)
    for r in results:
        if r.error:
            _err(f"defaultlint: error: {r.path}: {r.error}")
    if not quiet:
        click.echo(f"Added {_plural(added, 'noqa directive')}." if added else "No noqa directives added.", err=True)
    return EXIT_FINDINGS if any(_broken(r) for r in results) else EXIT_OK


def _apply_cli(settings: Settings, select, extend_select, ignore, target_version, no_respect_gitignore) -> None:
    if select:
        settings.select = _split(select)
    if extend_select:
        settings.extend_select = settings.extend_select + _split(extend_select)
    if ignore:
        settings.ignore = settings.ignore + _split(ignore)
    for tv in target_version:
        if "=" not in tv:
            raise ConfigError(f"--target-version takes FRAMEWORK=RANGE, e.g. torch=2.4 (got {tv!r})")
        fw, _, spec = tv.partition("=")
        settings.target_version = {**settings.target_version, fw.strip(): spec.strip()}
    if no_respect_gitignore:
        settings.respect_gitignore = False


@main.command()
@click.argument("code")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto",
              help="Colour the output (auto: on a terminal).")
def rule(code: str, color: str) -> None:
    """Explain a rule: what it finds, why it matters, the values in both frameworks, and its fix.

    On a terminal (or with --color always) the explanation is rendered; piped, it is Markdown."""
    import sys

    from defaultlint.formats.ruledoc import explain_rule
    from defaultlint.formats.terminal import _isatty

    table = load_table()
    rendered = color == "always" or _isatty(sys.stdout)
    text = explain_rule(table, code.upper(), table_rows=not rendered)
    if text is None:
        raise fail(f"unknown rule code {code!r} (see `defaultlint rules`)")
    if rendered:
        from rich.markdown import Markdown

        from defaultlint.formats.terminal import console

        out = console(color, sys.stdout)
        out.soft_wrap = False  # paragraphs wrapped at the terminal's width, by words
        out.print(Markdown(text))
    else:
        click.echo(text)


@main.command()
@click.option("--all", "show_all", is_flag=True, help="Also list the codes outside the default selection.")
@click.option("--presets", "show_presets", is_flag=True, help="List the presets and what each adds.")
def rules(show_all: bool, show_presets: bool) -> None:
    """List the rule codes of the default selection and the presets (with --all, every code)."""
    table = load_table()
    if show_presets:
        for p in table.presets.values():
            auto = " On by itself when the project uses frameworks of two families (PyTorch, TensorFlow/Keras, JAX)." \
                if p.auto == "both-families" else ""
            click.echo(f"{p.name}: {p.summary}.{auto}\n  codes: {', '.join(p.codes)}\n")
        click.echo("Turn one on with `preset = [\"NAME\"]` in [tool.defaultlint] or --preset NAME; "
                   "`port-from = \"keras\"` (or \"torch\") turns `port` on.", err=True)
        return
    in_preset = {c: p.name for p in table.presets.values() for c in p.codes}
    shown = [c for c in table.codes.values() if show_all or c.default or c.code in in_preset]
    width = max([2, *map(len, in_preset.values())])
    for c in shown:
        mark = "on" if c.default else in_preset.get(c.code, "")
        click.echo(f"{c.code} {mark:{width}} {c.name:36} {c.summary}")
    hidden = len(table.codes) - len(shown)
    legend = "on: in the default selection; " + "".join(f"{p}: added by the {p} preset (--preset {p}); "
                                                        for p in sorted(set(in_preset.values())))
    legend += "`--select ALL` enables every code."
    if hidden:
        legend += f" {hidden} more with --all."
    click.echo(legend, err=True)


def _audit_rules(table, target_version: tuple[str, ...]):
    from defaultlint.core.checker import Rules
    from defaultlint.core.versions import parse_range

    targets = {}
    for tv in target_version:
        fw, sep, spec = tv.partition("=")
        if not sep or fw.strip() not in table.frameworks:
            raise fail(f"--target-version takes FRAMEWORK=RANGE with a known framework, e.g. torch=2.4 (got {tv!r})")
        try:
            targets[fw.strip()] = parse_range(spec.strip())
        except ValueError as e:
            raise fail(f"--target-version {tv!r}: {e}") from None
    return Rules(frozenset(), targets)


_AUDIT_FORMATS = click.Choice(["rich", "json", "markdown"])


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=_AUDIT_FORMATS, default="rich", help="Table (rich), JSON or Markdown.")
@click.option("--target-version", "target_version", multiple=True, metavar="FRAMEWORK=RANGE",
              help="Framework releases whose defaults are the implicit values, e.g. torch=2.4.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path), help="Write the manifest to a file.")
def manifest(paths, fmt, target_version, output_file):
    """List every framework call in PATHS with all its effective hyperparameters, explicit and implicit."""
    from defaultlint.audit import manifest as mf

    table = load_table()
    entries, errors = mf.entries_for_paths(list(paths), table, _audit_rules(table, target_version))
    for e in errors:
        _err(f"defaultlint: error: {e}")
    _write_audit(fmt, output_file, lambda: mf.to_json(entries), lambda: mf.to_markdown(entries),
                 lambda console: mf.print_rich(console, entries))
    raise click.exceptions.Exit(EXIT_ERROR if errors else EXIT_OK)


@main.command()
@click.argument("a", type=click.Path(path_type=Path, exists=True))
@click.argument("b", type=click.Path(path_type=Path, exists=True))
@click.option("--format", "fmt", type=_AUDIT_FORMATS, default="rich", help="Table (rich), JSON or Markdown.")
@click.option("--target-version", "target_version", multiple=True, metavar="FRAMEWORK=RANGE",
              help="Framework releases whose defaults the implicit values are, e.g. torch=2.4.")
@click.option("-o", "--output-file", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--port", "port_file", type=click.Path(path_type=Path, exists=True, dir_okay=False),
              help="A port file (TOML): pairs to pin or exclude, divergences accepted with a reason.")
def compare(a, b, fmt, target_version, output_file, port_file):
    """Compare A and B (files, folders or JSON manifests of one model in two frameworks); exit 1 on divergences
    that are not accepted in the port file."""
    from defaultlint.audit import compare as cmp
    from defaultlint.audit.accept import PortFile, PortFileError

    table = load_table()
    rules = _audit_rules(table, target_version)
    try:
        port = PortFile.read(port_file) if port_file else PortFile()
    except (OSError, PortFileError) as e:
        raise fail(f"cannot read the port file: {e}") from None
    try:
        side_a, side_b = cmp.load_side(a, table, rules), cmp.load_side(b, table, rules)
    except (OSError, ValueError, KeyError, TypeError) as e:
        raise fail(f"cannot read the model: {e}") from None
    try:
        result = cmp.compare_entries(side_a.entries, side_b.entries, table, str(a), str(b), side_a, side_b, port)
    except ValueError as e:
        raise fail(f"port file: {e}") from None
    _write_audit(fmt, output_file, lambda: cmp.to_json(result), lambda: cmp.to_markdown(result),
                 lambda console: cmp.print_rich(console, result))
    raise click.exceptions.Exit(EXIT_FINDINGS if result.divergences else EXIT_OK)


def _write_audit(fmt, output_file, as_json, as_markdown, as_rich) -> None:
    out = open(output_file, "w", encoding="utf-8") if output_file else sys.stdout
    try:
        if fmt == "json":
            out.write(as_json())
        elif fmt == "markdown":
            out.write(as_markdown())
        else:
            as_rich(_console("never" if output_file else "auto", out))
    finally:
        if output_file:
            out.close()


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--from", "old", required=True, metavar="FRAMEWORK==RELEASE", help="The release upgraded from, e.g. torch==1.13.")
@click.option("--to", "new", required=True, metavar="FRAMEWORK==RELEASE", help="The release upgraded to, e.g. torch==2.13.")
@click.option("--adopt", is_flag=True, help="Fixes write the new release's values (default: keep the old behaviour).")
@click.option("--fix", is_flag=True, help="Write the values explicitly, so that the upgrade changes no behaviour.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply the fixes graded unsafe.")
@click.option("--diff", is_flag=True, help="Print the diff the fixes would make; write nothing.")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="full", help="How findings are printed.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", help="Colour the output.")
def upgrade(paths, old, new, adopt, fix, unsafe_fixes, diff, output_format, color):
    """Every call in PATHS whose effective default changes between two releases; exit 1 when there are any."""
    from defaultlint.api import FixedFileResult, ReadError, encode, read_source, write_atomic
    from defaultlint.audit import upgrade as up
    from defaultlint.core.fixer import fix_until_stable
    from defaultlint.formats import report

    table = load_table()
    try:
        change = up.Upgrade.parse(table, old, new)
    except up.UpgradeError as e:
        raise fail(str(e)) from None
    mode = up.Mode.ADOPT if adopt else up.Mode.KEEP
    settings = load_settings(None, Path(paths[0]) if Path(paths[0]).exists() else Path.cwd())
    files, skipped = discover(list(paths), settings.root, settings.exclude + settings.extend_exclude,
                              settings.respect_gitignore)
    for s in skipped:
        _err(f"defaultlint: warning: {s.path}: {s.reason}")
    results: list[FileResult] = []
    for path in files:
        name = str(path)
        try:
            src = read_source(path)
        except ReadError as e:
            results.append(FileResult(name, [], error=str(e)))
            continue
        check = lambda text, name=name: up.findings(table, text, name, change, mode)  # noqa: E731
        if not (fix or diff):
            results.append(FileResult(name, check(src.text), source=src.text))
            continue
        text, applied, remaining, errors = fix_until_stable(src.text, check, unsafe=unsafe_fixes)
        r = FixedFileResult(name, remaining, source=src.text, fixes_applied=len(applied), applied=applied,
                            fix_errors=errors)
        if text != src.text:
            r.fixed_source = text
            if fix and not diff:
                try:
                    write_atomic(path, encode(src, text), expected=encode(src, src.text))
                except (OSError, ReadError, UnicodeError) as e:
                    r.error = f"not written: {e}"
        results.append(r)
    if diff:
        return_code = _print_diff(results, sys.stdout, False, False)
        raise click.exceptions.Exit(return_code)
    if output_format in MACHINE_FORMATS:
        sys.stdout.write(render(output_format, results, table))
    elif output_format == "concise":
        sys.stdout.write(report.render_concise(results))
    else:
        report.print_full(_console(color, sys.stdout), results)
    n = sum(len(r.findings) for r in results)
    fixed = sum(r.fixes_applied for r in results)
    if output_format not in MACHINE_FORMATS:
        done = f"Fixed {fixed}. " if fixed else ""
        click.echo(f"{done}{n} default{'s' if n != 1 else ''} change{'s' if n == 1 else ''} between {old} and {new}"
                   + ("." if n or fixed else ": nothing to do."), err=True)
    errors = any(r.error for r in results)
    raise click.exceptions.Exit(EXIT_FINDINGS if n or errors else EXIT_OK)


@main.command()
def server() -> None:
    """Run the editor server (Language Server Protocol over standard input/output)."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        raise fail('the editor server needs pygls: pip install "defaultlint[server]"') from None
    from defaultlint.server.lsp import serve

    serve()


if __name__ == "__main__":  # pragma: no cover
    main()
