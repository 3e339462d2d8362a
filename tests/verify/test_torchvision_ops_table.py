"""The torchvision.ops rows (rules/torchvision/ops.toml), checked against the installed torchvision release:
the recorded signatures and spellings are the real ones, and each block, built with its defaults, contains
the layers its facts describe (kernel size, padding resolved from the kernel and dilation, no convolution
bias after a normalisation layer, the normalisation layer's own defaults, an in-place activation)."""

from __future__ import annotations

import pytest

from conftest import require_framework
from defaultlint.project.tables import load_table
from defaultlint.tools import tablegen

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = {name: api for name, api in TABLE.apis.items() if api.file == "torchvision/ops.toml"}
DIMS = {"torchvision.ops.misc.Conv2dNormActivation": 2, "torchvision.ops.misc.Conv3dNormActivation": 3}


def test_the_rows_are_the_blocks():
    assert sorted(ROWS) == sorted(DIMS)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_signature_and_spellings_match_the_installed_release(name):
    require_framework("torchvision")
    api = ROWS[name]
    assert tablegen.compare(api) == []
    obj = tablegen.resolve(name)
    for spelling in api.spellings:
        assert tablegen.resolve(spelling) is obj, spelling


def _parts(block):
    conv, norm, act = list(block)
    return conv, norm, act


@pytest.mark.parametrize("name", sorted(ROWS))
def test_defaults_hold_in_the_built_block(name):
    require_framework("torchvision")
    import torch

    api, d = ROWS[name], DIMS[name]
    cls = tablegen.resolve(name)
    conv, norm, act = _parts(cls(8, 16))
    assert type(conv) is getattr(torch.nn, f"Conv{d}d")
    assert conv.kernel_size == (int(api.param("kernel_size").default),) * d
    assert conv.stride == (1,) * d and conv.groups == 1 and conv.dilation == (1,) * d
    assert conv.bias is None  # bias=None resolves to `norm_layer is None`: False with the default norm layer
    assert type(norm) is getattr(torch.nn, f"BatchNorm{d}d")
    assert (norm.eps, norm.momentum, norm.num_features) == (1e-05, 0.1, 16)  # the note's values
    assert type(act) is torch.nn.ReLU and act.inplace is True
    # without a normalisation layer the convolution has a bias
    (bare_conv, _) = list(cls(8, 16, norm_layer=None))
    assert bare_conv.bias is not None


@pytest.mark.parametrize("name", sorted(ROWS))
@pytest.mark.parametrize("kernel_size,dilation", [(1, 1), (3, 1), (5, 1), (3, 2), (7, 3), (4, 1)])
def test_padding_resolves_from_kernel_and_dilation(name, kernel_size, dilation):
    require_framework("torchvision")
    import torch

    api, d = ROWS[name], DIMS[name]
    cls = tablegen.resolve(name)
    conv = list(cls(2, 4, kernel_size=kernel_size, dilation=dilation))[0]
    resolved = eval(api.fact("padding").resolves, {"kernel_size": kernel_size, "dilation": dilation})  # noqa: S307
    assert conv.padding == (resolved,) * d
    if kernel_size % 2:  # odd kernels at stride 1 keep the size, as the resolved_by text says
        x = torch.randn(1, 2, *(9,) * d)
        assert conv(x).shape[2:] == x.shape[2:]
