"""Version ranges read as PEP 440 reads them, and shown as the user wrote them."""

import pytest

from defaultlint.core.versions import Release, parse_range, parse_version, point, release_in


def v(text):
    return parse_version(text)


@pytest.mark.parametrize("spec,inside,outside", [
    ("2.6", ["2.6", "2.6.3"], ["2.5.9", "2.7"]),
    ("==2.6.*", ["2.6.0", "2.6.9"], ["2.7", "2.5"]),
    ("==2.6", ["2.6.0"], ["2.6.1", "2.7"]),
    (">=2.1,<2.7", ["2.1", "2.6.9"], ["2.0.9", "2.7"]),
    ("~=2.4", ["2.4", "2.9"], ["3.0", "2.3"]),
    ("~=2.3.0", ["2.3.0", "2.3.7"], ["2.4", "2.2.9"]),
    ("~=2.3.1", ["2.3.1", "2.3.9"], ["2.3.0", "2.4"]),
    ("<=2.4", ["2.4", "2.4.0", "2.3.9"], ["2.4.1", "2.5"]),
    (">2.4", ["2.4.1", "2.5"], ["2.4", "2.4.0"]),
    ("!=2.5.*", ["2.4.9", "2.6"], ["2.5", "2.5.3"]),
    (">=2.1,!=2.3", ["2.2", "2.3.1", "2.4"], ["2.3.0", "2.0"]),
    ("^2.1", ["2.1", "2.9"], ["3", "2.0"]),
    ("^0.3", ["0.3", "0.3.9"], ["0.4"]),
    ("~1.2.3", ["1.2.3", "1.2.9"], ["1.3"]),
    ("2.6.0+cpu", ["2.6"], ["2.7"]),
])
def test_pep440_operators_are_read_exactly(spec, inside, outside):
    r = parse_range(spec)
    assert all(r.contains(v(x)) for x in inside), [x for x in inside if not r.contains(v(x))]
    assert not any(r.contains(v(x)) for x in outside), [x for x in outside if r.contains(v(x))]


@pytest.mark.parametrize("spec", [">=2.5,<2.3", "==2.4,==2.5", ">2.4,<2.4", "==2.4.*,!=2.4.*"])
def test_empty_ranges_are_recognised(spec):
    assert parse_range(spec).is_empty()


@pytest.mark.parametrize("spec", ["two", ">=2.4.*", "~=2", ">=", "2.4 and 2.5"])
def test_text_that_is_no_range_is_refused(spec):
    with pytest.raises(ValueError):
        parse_range(spec)


def test_a_range_spans_a_change_only_when_it_holds_releases_on_both_sides():
    assert parse_range(">=2.1,<2.7").spans((2, 6))
    assert not parse_range(">=2.6").spans((2, 6))
    assert not parse_range("<2.6").spans((2, 6))
    assert parse_range("<=2.6").spans((2, 6))
    assert not parse_range("!=2.6.*,>=2.6,<2.7").spans((2, 6))


@pytest.mark.parametrize("spec", ["2.4", "<2.0", "<=2.4", "~=2.3.0", "==2.4.*", ">=2.1,<2.7"])
def test_ranges_are_shown_as_written(spec):
    assert str(parse_range(spec)) == spec
    assert "999" not in str(parse_range(spec))


def test_the_reported_release_is_the_verified_one_or_just_below_the_range():
    verified = (2, 13)
    assert release_in(parse_range(">=2.1"), verified) == Release((2, 13))
    below = release_in(parse_range("<2.5"), verified)
    assert below == Release((2, 5), just_below=True)
    assert below.before((2, 5)) and not below.before((2, 4))
    assert release_in(parse_range("<=2.4"), verified) == Release((2, 4))
    assert release_in(parse_range("2.4"), verified) == Release((2, 5), just_below=True)
    assert str(point((2, 13))) == "2.13"
