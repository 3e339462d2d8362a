"""Framework release numbers and ranges of them (a small subset of PEP 440, enough for targets)."""

from __future__ import annotations

import re
from dataclasses import dataclass

Version = tuple[int, ...]

_NUM = re.compile(r"\d+(?:\.\d+)*")


def parse_version(text: str) -> Version:
    """'2.6.0+cpu' -> (2, 6, 0). Raises ValueError on text without a leading release number."""
    m = _NUM.match(text.strip().lstrip("v"))
    if not m:
        raise ValueError(f"not a version: {text!r}")
    parts = tuple(int(p) for p in m.group(0).split("."))
    while len(parts) > 1 and parts[-1] == 0:
        parts = parts[:-1]
    return parts


def format_version(v: Version) -> str:
    return ".".join(str(p) for p in (v if len(v) > 1 else (*v, 0)))


def _bump(v: Version) -> Version:
    return (*v[:-1], v[-1] + 1)


@dataclass(frozen=True)
class VersionRange:
    """Versions v with low <= v < high (either bound may be open-ended: None)."""

    low: Version | None = None
    high: Version | None = None

    def contains(self, v: Version) -> bool:
        return (self.low is None or v >= self.low) and (self.high is None or v < self.high)

    def spans(self, change: Version) -> bool:
        """True when the range holds releases both before and from `change` on."""
        before = self.low is None or self.low < change
        after = self.high is None or self.high > change
        return before and after

    def is_point(self) -> bool:
        return self.low is not None and self.high == _bump(self.low)

    def __str__(self) -> str:
        if self.is_point():
            return format_version(self.low)  # type: ignore[arg-type]
        parts = []
        if self.low is not None:
            parts.append(f">={format_version(self.low)}")
        if self.high is not None:
            parts.append(f"<{format_version(self.high)}")
        return ",".join(parts) or "any"


def parse_range(spec: str) -> VersionRange:
    """Parse '2.6', '==2.6.*', '>=2.1,<2.7', '~=2.4', '^2.1' (poetry) into a VersionRange.

    A bare version means that release series: '2.6' is >=2.6,<2.7.
    """
    low: Version | None = None
    high: Version | None = None
    spec = spec.strip()
    if not spec or spec == "*":
        return VersionRange()
    for clause in (c.strip() for c in spec.split(",")):
        if not clause:
            continue
        m = re.fullmatch(r"(==|>=|<=|~=|!=|>|<|\^|~)?\s*v?(\d+(?:\.\d+)*)(\.\*)?(?:[+\-.\w]*)?", clause)
        if not m:
            raise ValueError(f"not a version range: {spec!r}")
        op, num, star = m.group(1) or "", m.group(2), m.group(3)
        v = parse_version(num)
        if op in ("", "==") or (op == "==" and star):
            lo, hi = v, _bump(v)
        elif op == ">=":
            lo, hi = v, None
        elif op == ">":
            lo, hi = _bump(v) if star else (*v, 0, 1), None
        elif op == "<":
            lo, hi = None, v
        elif op == "<=":
            lo, hi = None, (*v, 0, 1)
        elif op == "~=":
            lo, hi = v, _bump(v[:-1]) if len(v) > 1 else None
        elif op == "^":
            lo, hi = v, _bump(v[:1])
        elif op == "~":
            lo, hi = v, _bump(v[:2]) if len(v) > 1 else _bump(v)
        else:  # '!=' excludes a point; it never narrows a range enough to matter here
            continue
        if lo is not None and (low is None or lo > low):
            low = lo
        if hi is not None and (high is None or hi < high):
            high = hi
    return VersionRange(low, high)


def point(v: Version) -> VersionRange:
    return VersionRange(v, _bump(v))
