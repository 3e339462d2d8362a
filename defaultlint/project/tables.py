"""The shipped default table: where rules/ lives, reading its TOML files, and one parsed table per process."""

from __future__ import annotations

import functools
import hashlib
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from defaultlint.core.table import Table

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def rules_dir() -> Path:
    """The table's folder: inside the installed package, or beside it in a source checkout."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "rules", package.parent / "rules"):
        if (candidate / "codes.toml").is_file():
            return candidate
    from defaultlint.core.table import TableError

    raise TableError(f"the default table (rules/) was not found next to {package}")


def read_documents(root: Path) -> dict[str, dict]:
    """Every rules file under `root`, parsed: relative path -> data."""
    from defaultlint.core.table import TableError

    out = {}
    for path in sorted([*root.glob("*.toml"), *root.glob("*/*.toml")]):
        rel = path.relative_to(root).as_posix()
        try:
            with path.open("rb") as f:
                out[rel] = tomllib.load(f)
        except (OSError, tomllib.TOMLDecodeError) as e:
            raise TableError(f"{rel}: {e}") from None
    return out


@functools.lru_cache(maxsize=None)
def load_table(root: str | None = None) -> Table:
    """The table under `root` (default: the shipped rules/), parsed and checked once per process."""
    from defaultlint.core.table import Table

    folder = Path(root) if root else rules_dir()
    return Table.from_documents(read_documents(folder), str(folder))


def rules_digest(root: Path) -> str:
    """A hash of every rules file's path and content."""
    h = hashlib.sha256()
    for path in sorted(root.rglob("*.toml")):
        h.update(path.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
