"""The torchvision rows of the default table, checked against the installed torchvision release: every
signature (names, kinds, each default's source) is the real one, every spelling imports as the same object,
every change names its source, and the defaults the findings state hold when the transforms run."""

from __future__ import annotations

import re

import pytest

from conftest import require_framework
from defaultlint.core.versions import parse_version
from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = sorted((a for a in TABLE.apis.values() if a.framework == "torchvision"), key=lambda a: a.name)


def test_the_installed_release_is_the_verified_one():
    tv = require_framework("torchvision")
    assert parse_version(tv.__version__.split("+")[0]) == TABLE.frameworks["torchvision"].verified


@pytest.mark.parametrize("api", ROWS, ids=[a.name for a in ROWS])
def test_row_matches_the_installed_release(api):
    require_framework("torchvision")
    assert tablegen.compare(api) == []
    obj = tablegen.resolve(api.name)
    for spelling in api.spellings:
        assert tablegen.resolve(spelling) is obj, spelling
    for change in api.changes:  # a documented source, or the wheel the change was read from
        assert change.source.startswith("https://") or re.fullmatch(r"torchvision-\S+\.whl \(sha256 [0-9a-f]{64}\)",
                                                                     change.source), change.source


def test_defaults_hold_when_the_transforms_run():
    require_framework("torchvision")
    import torch
    from torchvision import transforms as T
    from torchvision.transforms import v2

    torch.manual_seed(0)
    img = torch.rand(3, 40, 60)
    crop = T.RandomResizedCrop(16)
    assert (crop.scale, crop.ratio, crop.antialias) == ((0.08, 1.0), (3 / 4, 4 / 3), True)
    assert crop.interpolation is T.InterpolationMode.BILINEAR
    rot = T.RandomRotation(30)
    assert (rot.interpolation, rot.fill, rot.expand) == (T.InterpolationMode.NEAREST, 0, False)
    corners = rot(torch.ones(3, 32, 32))[:, 0, 0]  # a rotated ones-image: its corners are filled, with 0
    assert torch.equal(corners, torch.zeros(3))
    assert T.RandomHorizontalFlip().p == 0.5
    # antialias=True is what resizing a tensor does by default
    assert torch.equal(T.Resize(20)(img), T.Resize(20, antialias=True)(img))
    assert not torch.equal(T.Resize(20)(img), T.Resize(20, antialias=False)(img))
    assert torch.equal(v2.Resize(20)(img), v2.Resize(20, interpolation="bilinear", antialias=True)(img))


def test_every_row_is_checked():
    assert len(ROWS) >= 25
