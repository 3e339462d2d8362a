"""The port file: what the person gating a port has decided, so that a correct port exits 0.

    [[pin]]        # pair these two calls whatever the structure says
    a = "modeling_tf_bert.py:222"
    b = "modeling_bert.py:245"

    [[exclude]]    # leave this call out of the comparison (either side)
    at = "modeling_bert.py:900"
    reason = "pooler kept for checkpoint compatibility"

    [[accept]]     # a divergence that is intended or handled elsewhere
    param = "data_format"            # A's or B's parameter, or a trap's name
    at = "model.py:12"               # optional: only at this place (A's or B's); kind = "..." also narrows
    reason = "the data pipeline feeds NCHW"

A place is `PATH:LINE`, where PATH is the file's path or any ending of it at a `/`. Unknown keys, a missing
reason and a place that matches no call are errors (exit 2), so a stale file is noticed.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from defaultlint.core import schema as s

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

PLACE = s.Type("PATH:LINE", lambda v: None if isinstance(v, str) and ":" in v and v.rsplit(":", 1)[1].isdigit()
               else f"expected PATH:LINE, got {v!r:.60}")
PORT_FILE = s.Shape("a port file", {
    "pin": s.Key(s.Many(s.Shape("a pin", {
        "a": s.Key(PLACE, "A's call", required=True),
        "b": s.Key(PLACE, "B's call", required=True),
        "reason": s.Key(s.STR, "why"),
    })), "pairs to make whatever the structure says"),
    "exclude": s.Key(s.Many(s.Shape("an exclusion", {
        "at": s.Key(PLACE, "the call", required=True),
        "reason": s.Key(s.STR, "why"),
    })), "calls to leave out"),
    "accept": s.Key(s.Many(s.Shape("an accepted divergence", {
        "param": s.Key(s.STR, "A's or B's parameter, or a trap's name", required=True),
        "at": s.Key(PLACE, "only at this place"),
        "kind": s.Key(s.STR, "only for this kind of pair (`Conv2D ↔ Conv2d`)"),
        "reason": s.Key(s.STR, "why it is intended or handled", required=True),
    })), "divergences that are intended"),
})


class PortFileError(ValueError):
    pass


@dataclass(frozen=True)
class Accept:
    param: str
    at: str | None
    kind: str | None
    reason: str


@dataclass
class PortFile:
    pins: list[tuple[str, str]] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    accepts: list[Accept] = field(default_factory=list)
    used: set[str] = field(default_factory=set)  # places that matched a call

    @classmethod
    def parse(cls, text: str, where: str = "port file") -> "PortFile":
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            raise PortFileError(f"{where}: {e}") from None
        try:
            s.validate(data, PORT_FILE, where)
        except s.TableError as e:
            raise PortFileError(str(e)) from None
        return cls([(p["a"], p["b"]) for p in data.get("pin", ())], [x["at"] for x in data.get("exclude", ())],
                   [Accept(x["param"], x.get("at"), x.get("kind"), x["reason"]) for x in data.get("accept", ())])

    @classmethod
    def read(cls, path: Path) -> "PortFile":
        return cls.parse(path.read_text(encoding="utf-8"), str(path))

    def accepted(self, param_a: str, param_b: str, kind: str, places: tuple[str, ...]) -> Accept | None:
        for acc in self.accepts:
            if acc.param not in (param_a, param_b):
                continue
            if acc.kind is not None and acc.kind != kind:
                continue
            if acc.at is not None and not any(matches(acc.at, p) for p in places):
                continue
            return acc
        return None


def matches(spec: str, where: str) -> bool:
    """`spec` (PATH:LINE, PATH possibly an ending at a `/`) names the place `where` (path:line)."""
    spath, sline = spec.rsplit(":", 1)
    wpath, wline = where.rsplit(":", 1)
    if sline != wline:
        return False
    spath, wpath = spath.replace("\\", "/"), wpath.replace("\\", "/")
    return wpath == spath or wpath.endswith("/" + spath.lstrip("./"))
