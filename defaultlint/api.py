"""The functions the CLI and the editor server call: read, lint and fix files and texts."""

from __future__ import annotations

import io
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from defaultlint.checker import Checker, Rules
from defaultlint.config import Settings
from defaultlint.fixer import apply_fixes, parses
from defaultlint.ftypes import FileResult, Finding, Position
from defaultlint.table import Table, load_table

MAX_FIX_PASSES = 10


@dataclass
class Source:
    text: str
    encoding: str
    bom: bool


class ReadError(Exception):
    pass


@dataclass
class FixedFileResult(FileResult):
    """A file's result after fixing: also the findings whose fixes were applied (for --show-fixes)."""

    applied: list[Finding] = field(default_factory=list)


def decode(data: bytes) -> Source:
    """Decode Python source bytes as the interpreter would (BOM, coding cookie, else UTF-8)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as e:
        raise ReadError(f"cannot decode: {e}") from None
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as e:
        raise ReadError(f"cannot decode as {encoding}: {e}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return Source(text, "utf-8" if encoding == "utf-8-sig" else encoding, bom)


def encode(source: Source, text: str) -> bytes:
    data = text.encode(source.encoding)
    return b"\xef\xbb\xbf" + data if source.bom else data


def read_source(path: Path) -> Source:
    try:
        data = path.read_bytes()
    except IsADirectoryError:
        raise ReadError("is a directory") from None
    except OSError as e:
        raise ReadError(e.strerror or str(e)) from None
    return decode(data)


class Linter:
    """A table, settings and rules bound together; lints texts and files."""

    def __init__(self, settings: Settings, table: Table | None = None):
        self.settings = settings
        self.table = table or load_table()
        self.rules = settings.rules(self.table)

    def rules_for(self, path: Path) -> Rules:
        return self.settings.rules_for(self.table, path, self.rules)

    def lint_text(self, text: str, path: str = "-", rules: Rules | None = None) -> list[Finding]:
        checker = Checker(self.table, rules or self.rules_for(Path(path)))
        return checker.check(text, path)

    def fix_text(self, text: str, path: str = "-", unsafe: bool = False) -> tuple[str, int, list[Finding]]:
        """Apply fixes until none is left to apply; returns (new text, fixes applied, remaining findings)."""
        new, applied, remaining = self.fix_text_detailed(text, path, unsafe)
        return new, len(applied), remaining

    def fix_text_detailed(self, text: str, path: str = "-", unsafe: bool = False
                          ) -> tuple[str, list[Finding], list[Finding]]:
        """Like fix_text, but returns the applied findings themselves (as found in the text they fixed)."""
        rules = self.rules_for(Path(path))
        applied: list[Finding] = []
        findings = self.lint_text(text, path, rules)
        for _ in range(MAX_FIX_PASSES):
            new, done = apply_fixes(text, findings, unsafe=unsafe, order=self._param_order)
            if not done or new == text:
                break
            applied.extend(done)
            text = new
            findings = self.lint_text(text, path, rules)
        return text, applied, findings

    def _param_order(self, api: str | None, name: str) -> int:
        """Position of `name` in `api`'s signature, so added arguments follow the signature's order."""
        row = self.table.apis.get(api or "")
        if row is not None:
            for i, p in enumerate(row.params):
                if p.name == name:
                    return i
        return 1 << 16

    def lint_file(self, path: Path, fix: bool = False, unsafe: bool = False, write: bool = True) -> FileResult:
        name = str(path)
        try:
            src = read_source(path)
        except ReadError as e:
            return FileResult(name, [_error_finding(name, str(e))], error=str(e))
        if not fix:
            return FileResult(name, self.lint_text(src.text, name), source=src.text)
        new, applied, remaining = self.fix_text_detailed(src.text, name, unsafe)
        result = FixedFileResult(name, remaining, source=src.text, fixes_applied=len(applied), applied=applied)
        if new == src.text:
            return result
        result.fixed_source = new
        if not write:
            return result
        try:
            if not parses(new):  # apply_fixes refuses such text already; never write it whatever happens
                raise ReadError("the fixed text does not parse")
            write_atomic(path, encode(src, new), expected=encode(src, src.text))
        except (OSError, ReadError, UnicodeError) as e:
            result.error = f"not written: {e}"
            result.findings = [_error_finding(name, result.error)] + self.lint_text(src.text, name)
            result.fixed_source = None
            result.fixes_applied = 0
            result.applied = []
        return result

    def add_noqa_file(self, path: Path, write: bool = True) -> FileResult:
        """Write `# noqa: CODE` on the line of each finding; the result's findings are those left."""
        from defaultlint.noqa import add_noqa

        name = str(path)
        try:
            src = read_source(path)
        except ReadError as e:
            return FileResult(name, [_error_finding(name, str(e))], error=str(e))
        new, changed = add_noqa(src.text, self.lint_text(src.text, name))
        result = FileResult(name, self.lint_text(new, name), source=src.text, fixes_applied=changed)
        if new != src.text:
            result.fixed_source = new
            if write:
                try:
                    write_atomic(path, encode(src, new), expected=encode(src, src.text))
                except (OSError, ReadError, UnicodeError) as e:
                    result.error = f"not written: {e}"
                    result.findings = [_error_finding(name, result.error)] + self.lint_text(src.text, name)
                    result.fixed_source = None
                    result.fixes_applied = 0
        return result


def _error_finding(path: str, message: str) -> Finding:
    pos = Position(1, 1)
    return Finding("DL001", message, path, 0, 0, pos, pos)


def write_atomic(path: Path, data: bytes, expected: bytes | None = None) -> None:
    """Replace `path` with `data` atomically, keeping its permissions.

    When `expected` is given and the file no longer holds it (changed since it was read), nothing is written.
    """
    if expected is not None and path.read_bytes() != expected:
        raise ReadError("the file changed on disk while it was being fixed")
    real = Path(os.path.realpath(path))
    mode = stat.S_IMODE(real.stat().st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".defaultlint.tmp", dir=real.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, real)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise

