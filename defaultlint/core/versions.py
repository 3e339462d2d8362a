"""Framework releases and ranges of them, read as PEP 440 reads them, shown as the user wrote them.

A release is a tuple of integers without trailing zeros (`2.6.0` is `(2, 6)`). A range is a union of
intervals over releases: every specifier clause (`>=`, `>`, `<=`, `<`, `==`, `==X.*`, `!=`, `!=X.*`,
`~=`, Poetry's `^` and `~`, and a bare version meaning that release series) narrows it exactly; its text
is kept as written for messages. Pre-, post- and development releases are not modelled: a suffix such as
`+cpu` or `rc1` is read as the release it belongs to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

Version = tuple[int, ...]

_NUM = re.compile(r"\d+(?:\.\d+)*")
_CLAUSE = re.compile(r"(===|==|>=|<=|~=|!=|>|<|\^|~)?\s*v?(\d+(?:\.\d+)*)(\.\*)?(?:[+\-.]?[A-Za-z0-9][A-Za-z0-9.+\-]*)?")


def parse_version(text: str) -> Version:
    """'2.6.0+cpu' -> (2, 6). Raises ValueError on text without a leading release number."""
    m = _NUM.match(text.strip().lstrip("v"))
    if not m:
        raise ValueError(f"not a version: {text!r}")
    return _norm(tuple(int(p) for p in m.group(0).split(".")))


def _norm(v: Version) -> Version:
    while len(v) > 1 and v[-1] == 0:
        v = v[:-1]
    return v


def format_version(v: Version) -> str:
    return ".".join(str(p) for p in (v if len(v) > 1 else (*v, 0)))


def _next_series(v: Version) -> Version:
    """The first release after the series `v`: (2, 4) -> (2, 5); (2,) -> (3,)."""
    return _norm((*v[:-1], v[-1] + 1))


# An end of an interval: (release, closed). None is unbounded.
Bound = tuple[Version, bool] | None


@dataclass(frozen=True)
class Interval:
    low: Bound = None
    high: Bound = None

    def contains(self, v: Version) -> bool:
        if self.low is not None and (v < self.low[0] or (v == self.low[0] and not self.low[1])):
            return False
        if self.high is not None and (v > self.high[0] or (v == self.high[0] and not self.high[1])):
            return False
        return True

    def empty(self) -> bool:
        if self.low is None or self.high is None:
            return False
        return self.low[0] > self.high[0] or (self.low[0] == self.high[0] and not (self.low[1] and self.high[1]))

    def below(self, v: Version) -> bool:
        """Holds a release before `v`."""
        return not self.empty() and (self.low is None or self.low[0] < v)

    def from_(self, v: Version) -> bool:
        """Holds `v` or a release after it."""
        return not self.empty() and (self.high is None or self.high[0] > v or (self.high[0] == v and self.high[1]))


def _intersect(a: Interval, b: Interval) -> Interval:
    low = a.low if b.low is None or (a.low is not None and (a.low[0], not a.low[1]) > (b.low[0], not b.low[1])) \
        else b.low
    high = a.high if b.high is None or (a.high is not None and (a.high[0], a.high[1]) < (b.high[0], b.high[1])) \
        else b.high
    return Interval(low, high)


@dataclass(frozen=True)
class VersionRange:
    """The releases a project targets: a union of disjoint intervals, and its text as written."""

    intervals: tuple[Interval, ...] = (Interval(),)
    text: str = field(default="", compare=False)

    def contains(self, v: Version) -> bool:
        return any(i.contains(v) for i in self.intervals)

    def is_empty(self) -> bool:
        return all(i.empty() for i in self.intervals)

    def spans(self, change: Version) -> bool:
        """True when the range holds releases both before `change` and from it on."""
        return any(i.below(change) for i in self.intervals) and any(i.from_(change) for i in self.intervals)

    def is_point(self) -> bool:
        """A single release series written as such (`2.4`, `==2.4.*`, `~=2.4.0`): shown as that release."""
        return len(self.intervals) == 1 and self.intervals[0].low is not None and self.intervals[0].high is not None \
            and self.intervals[0].high == (_next_series(self.intervals[0].low[0]), False) and self.intervals[0].low[1]

    def __str__(self) -> str:
        if self.text:
            return self.text
        if self.is_point():
            return format_version(self.intervals[0].low[0])  # type: ignore[index]
        parts = []
        for i in self.intervals:
            p = []
            if i.low is not None:
                p.append((">=" if i.low[1] else ">") + format_version(i.low[0]))
            if i.high is not None:
                p.append(("<=" if i.high[1] else "<") + format_version(i.high[0]))
            parts.append(",".join(p) or "any")
        return " or ".join(parts)


_EMPTY = Interval(((0,), False), ((0,), False))


def _clause(op: str, v: Version, star: bool, depth: int) -> list[Interval]:
    """The releases one specifier clause admits, as intervals (two for `!=`)."""
    if star and op not in ("==", "!="):
        raise ValueError(f"'.*' only follows == or != (got {op}{format_version(v)}.*)")
    series = Interval((v, True), (_next_series(v), False))
    if op == "":  # a bare version: that release series
        return [series]
    if op in ("==", "==="):
        return [series] if star else [Interval((v, True), (v, True))]
    if op == "!=":
        if star:
            return [Interval(None, (v, False)), Interval((_next_series(v), True), None)]
        return [Interval(None, (v, False)), Interval((v, False), None)]
    if op == ">=":
        return [Interval((v, True), None)]
    if op == ">":
        return [Interval((v, False), None)]
    if op == "<=":
        return [Interval(None, (v, True))]
    if op == "<":
        return [Interval(None, (v, False))]
    if op == "~=":
        if depth < 2:
            raise ValueError(f"~= needs at least two release numbers (got ~={format_version(v)})")
        return [Interval((v, True), (_next_series(v[:depth - 1]), False))]
    if op == "^":  # Poetry: up to the next change of the first non-zero number
        nonzero = next((i for i, x in enumerate(v) if x), len(v) - 1)
        return [Interval((v, True), (_next_series(v[:nonzero + 1]), False))]
    if op == "~":  # Poetry: ~1.2.3 is >=1.2.3,<1.3; ~1 is >=1,<2
        return [Interval((v, True), (_next_series(v[:2] if depth > 1 else v[:1]), False))]
    raise ValueError(f"unknown operator {op!r}")


def parse_range(spec: str) -> VersionRange:
    """Parse a specifier such as '2.6', '==2.6.*', '>=2.1,<2.7', '~=2.4.0', '!=2.5.*', '^2.1'.

    A bare version means that release series ('2.6' is >=2.6,<2.7); '==2.6' is exactly 2.6(.0).
    Raises ValueError on text that is not a range.
    """
    text = spec.strip()
    if not text or text == "*":
        return VersionRange((Interval(),), text)
    result = [Interval()]
    for clause in (c.strip() for c in text.split(",")):
        if not clause:
            continue
        m = _CLAUSE.fullmatch(clause)
        if not m:
            raise ValueError(f"not a version range: {spec!r}")
        op, num, star = m.group(1) or "", m.group(2), bool(m.group(3))
        depth = len(num.split("."))
        admitted = _clause(op, parse_version(num), star, depth)
        result = [x for x in (_intersect(r, a) for r in result for a in admitted) if not x.empty()]
    return VersionRange(tuple(result) or (_EMPTY,), text)


def point(v: Version) -> VersionRange:
    """The range holding exactly release `v`, shown as `v`."""
    return VersionRange((Interval((v, True), (v, True)),), format_version(v))


@dataclass(frozen=True)
class Release:
    """The release whose values are reported for a range: a real release, or "just below" a bound.

    A range whose newest release is not known (`<2.5`) is evaluated just below its upper end: every change
    at 2.5 or later is not yet in force there. `key` orders it among releases; it is never printed.
    """

    version: Version
    just_below: bool = False

    @property
    def key(self) -> tuple[Version, int]:
        return (self.version, -1 if self.just_below else 0)

    def before(self, change: Version) -> bool:
        """True when this release comes before the release `change`."""
        return self.key < (change, 0)


def release_in(rng: VersionRange, verified: Version) -> Release:
    """The release whose values are reported for `rng`: the verified one when the range holds it, the
    range's upper end when the range lies wholly before it, else the verified one."""
    if rng.contains(verified):
        return Release(verified)
    highs = [i.high for i in rng.intervals if not i.empty()]
    if highs and all(h is not None for h in highs):
        end = max(highs, key=lambda b: (b[0], b[1]))  # type: ignore[index]
        if end[0] <= verified:  # type: ignore[index]
            return Release(end[0], just_below=not end[1])  # type: ignore[index]
    return Release(verified)
