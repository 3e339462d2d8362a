"""The PyTorch rows of the default table, checked against the installed torch release.

For every torch row: the recorded signature is `inspect.signature` of the real object (names, kinds and each
default's source) - or, for functions written in C, the signature their docstring documents, with every default
then checked by running the function; every spelling imports as the same object; every implicit fact
(initialisation, logits) holds when the layer is built with a fixed seed; every `resolves` of a sentinel holds
at run time; every change between releases names its source. The summary line at the end of the run says how
many rows each kind of check verified.
"""

from __future__ import annotations

import inspect
from pathlib import Path
import io
import math
import pickle
import warnings

import re

import pytest

from conftest import require_framework
from defaultlint.tools import tablegen
from defaultlint.core.table import KW_ONLY, POS_OR_KW, REQUIRED, parse_signature
from defaultlint.project.tables import load_table
from defaultlint.core.versions import format_version, parse_version

torch = require_framework("torch")
nn = torch.nn
F = torch.nn.functional

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = {name: api for name, api in TABLE.apis.items() if api.framework == "torch"}

# The coverage the table promises (a row missing here is a regression, not a choice).
PROMISED = [
    *(f"torch.nn.{n}" for n in (
        "Linear Bilinear Conv1d Conv2d Conv3d ConvTranspose1d ConvTranspose2d ConvTranspose3d BatchNorm1d "
        "BatchNorm2d BatchNorm3d SyncBatchNorm LayerNorm GroupNorm InstanceNorm1d InstanceNorm2d InstanceNorm3d "
        "RMSNorm Embedding EmbeddingBag LSTM GRU RNN LSTMCell GRUCell RNNCell MultiheadAttention Transformer "
        "TransformerEncoderLayer TransformerDecoderLayer TransformerEncoder TransformerDecoder Dropout Dropout1d "
        "Dropout2d Dropout3d GELU LeakyReLU ELU PReLU Softmax LogSoftmax MaxPool1d MaxPool2d MaxPool3d AvgPool1d "
        "AvgPool2d AvgPool3d AdaptiveAvgPool1d AdaptiveAvgPool2d AdaptiveAvgPool3d AdaptiveMaxPool2d Upsample "
        "Flatten CrossEntropyLoss NLLLoss BCELoss BCEWithLogitsLoss MSELoss L1Loss HuberLoss SmoothL1Loss "
        "KLDivLoss").split()),
    *(f"torch.optim.{n}" for n in "SGD Adam AdamW RMSprop Adagrad Adadelta Adamax NAdam RAdam LBFGS".split()),
    *(f"torch.optim.lr_scheduler.{n}" for n in
      "StepLR MultiStepLR CosineAnnealingLR OneCycleLR LinearLR ReduceLROnPlateau".split()),
    "torch.utils.data.DataLoader",
    *(f"torch.nn.functional.{n}" for n in (
        "interpolate grid_sample affine_grid gelu softmax log_softmax dropout normalize "
        "scaled_dot_product_attention").split()),
    "torch.std", "torch.var", "torch.meshgrid", "torch.stft", "torch.load", "torch.nn.utils.clip_grad_norm_",
]


# -- bookkeeping for the summary line -----------------------------------------------------------------------
EXPECTED: dict[str, set[str]] = {name: set() for name in ROWS}
PASSED: dict[str, set[str]] = {name: set() for name in ROWS}
CHANGES_VERIFIED: set[tuple[str, str, str]] = set()
HISTORY_VERIFIED: set[tuple[str, str, str]] = set()


def _expect(name: str, check: str) -> str:
    EXPECTED[name].add(check)
    return check


def _passed(name: str, check: str) -> None:
    PASSED[name].add(check)


@pytest.fixture(scope="module", autouse=True)
def _summary(verification_summary):
    yield
    complete = [n for n in ROWS if EXPECTED[n] and EXPECTED[n] <= PASSED[n]]
    by_signature = [n for n in complete if "signature" in PASSED[n] and ROWS[n].verified != "behaviour"]
    by_running = [n for n in complete if any(c.split(":")[0] in ("implicit", "resolves", "behaviour")
                                             for c in PASSED[n])]
    verification_summary.append(
        f"verified {len(complete)} torch rows: {len(by_signature)} by signature, {len(by_running)} by "
        f"instantiation/behaviour, {len(CHANGES_VERIFIED)} changes with sources "
        f"(+{len(HISTORY_VERIFIED)} signature-history entries with sources), against torch {torch.__version__}")


def value(text: str, **names):
    """Evaluate a table value (Python source) the way the code it is written into would."""
    return eval(text, {"torch": torch, "math": math, "nn": nn, **names})  # noqa: S307 - table data, not input


def obj_of(api):
    return tablegen.resolve(api.name)


# -- the table covers what it promises, for the installed release -------------------------------------------
def test_promised_rows_are_present():
    assert not [n for n in PROMISED if n not in ROWS]


def test_rows_are_verified_against_the_installed_release():
    installed = parse_version(torch.__version__)
    for name, api in ROWS.items():
        assert api.verified_version == installed, f"{name} ({api.file}) records {api.verified_version}"


# -- signatures ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in ROWS if _expect(n, "signature")])
def test_signature_matches_the_installed_object(name):
    api = ROWS[name]
    obj = obj_of(api)
    recorded = [(p.name, p.kind, p.default) for p in api.params]
    if api.verified == "behaviour":
        # A C function: the docstring's signature, every default of which test_behaviour runs.
        with pytest.raises(tablegen.DumpError):
            tablegen.signature_of(obj)
        documented = tablegen.documented_signature(obj)
        assert documented is not None, f"{name}: no documented signature"
        assert recorded == [(p.name, p.kind, p.default) for p in parse_signature(documented, name)]
    else:
        assert recorded == tablegen.signature_params(tablegen.signature_of(obj))
    _passed(name, "signature")


@pytest.mark.parametrize("name", [n for n in ROWS if _expect(n, "spellings")])
def test_spellings_import_as_the_same_object(name):
    api = ROWS[name]
    obj = obj_of(api)
    for spelling in api.spellings:
        assert tablegen.resolve(spelling) is obj, spelling
    # complete: every public path tablegen finds is recorded, so each import form resolves
    assert set(tablegen.spellings(name, obj)) <= set(api.spellings)
    _passed(name, "spellings")


# -- implicit facts, by instantiation -----------------------------------------------------------------------
def assert_uniform(t, bound: float, what: str):
    t = t.detach().flatten().double()
    n = t.numel()
    top = t.abs().max().item()
    assert top <= bound * (1 + 1e-6), f"{what}: max |x| {top} exceeds the bound {bound}"
    assert top >= bound * (1 - 8 / n), f"{what}: max |x| {top} is well inside the bound {bound}"
    if n >= 1000:
        assert abs(t.std().item() - bound / math.sqrt(3)) < 0.05 * bound / math.sqrt(3), f"{what}: not uniform"
        assert abs(t.mean().item()) < 0.05 * bound, f"{what}: not centred"


def assert_normal01(t, what: str):
    t = t.detach().flatten().double()
    assert abs(t.mean().item()) < 0.03 and abs(t.std().item() - 1) < 0.03, f"{what}: not N(0, 1)"
    assert t.abs().max().item() > 3, f"{what}: bounded, not normal"


def fan_in(weight) -> int:
    return weight.shape[1] * math.prod(weight.shape[2:])


def xavier_bound(weight) -> float:
    fan_out = weight.shape[0] * math.prod(weight.shape[2:])
    return math.sqrt(6 / (fan_in(weight) + fan_out))


# The layers the implicit facts are measured on: large enough that the extremes of a distribution show.
INSTANCES = {
    "torch.nn.Linear": lambda: nn.Linear(1000, 500),
    "torch.nn.Bilinear": lambda: nn.Bilinear(100, 50, 300),
    "torch.nn.Conv1d": lambda: nn.Conv1d(64, 128, 5),
    "torch.nn.Conv2d": lambda: nn.Conv2d(64, 128, 3),
    "torch.nn.Conv3d": lambda: nn.Conv3d(16, 256, 3),
    "torch.nn.ConvTranspose1d": lambda: nn.ConvTranspose1d(64, 128, 5, groups=2),
    "torch.nn.ConvTranspose2d": lambda: nn.ConvTranspose2d(128, 64, 3),
    "torch.nn.ConvTranspose3d": lambda: nn.ConvTranspose3d(32, 256, 3),
    "torch.nn.Embedding": lambda: nn.Embedding(1000, 64),
    "torch.nn.EmbeddingBag": lambda: nn.EmbeddingBag(1000, 64),
    "torch.nn.LSTM": lambda: nn.LSTM(32, 256, num_layers=2),
    "torch.nn.GRU": lambda: nn.GRU(32, 256, num_layers=2),
    "torch.nn.RNN": lambda: nn.RNN(32, 256, num_layers=2),
    "torch.nn.LSTMCell": lambda: nn.LSTMCell(32, 256),
    "torch.nn.GRUCell": lambda: nn.GRUCell(32, 256),
    "torch.nn.RNNCell": lambda: nn.RNNCell(32, 256),
    "torch.nn.MultiheadAttention": lambda: nn.MultiheadAttention(256, 8),
    "torch.nn.Transformer": lambda: nn.Transformer(64, 4, 1, 1, 256),
}


def _rnn_params(module, prefix: str):
    return [p for n, p in module.named_parameters() if n.startswith(prefix)]


def check_kaiming_a_sqrt5(module, imp):
    w = module.weight
    if isinstance(module, nn.modules.conv._ConvTransposeNd):  # the note's claim about the transposed fan-in
        assert fan_in(w) == module.out_channels // module.groups * math.prod(module.kernel_size)
    # kaiming_uniform_ with a = sqrt(5): gain sqrt(2 / (1 + 5)), bound gain * sqrt(3 / fan_in) = 1 / sqrt(fan_in)
    assert_uniform(w, 1 / math.sqrt(fan_in(w)), "weight")


def check_bias_fan_in(module, imp):
    assert_uniform(module.bias, 1 / math.sqrt(fan_in(module.weight)), "bias")


def check_bilinear(module, imp):
    t = module.weight if imp.name == "weight_init" else module.bias
    assert_uniform(t, 1 / math.sqrt(module.in1_features), imp.name)
    assert 1 / math.sqrt(module.in1_features) > 2 / math.sqrt(fan_in(module.weight))  # not the fan-in bound


def check_recurrent_uniform(module, imp):
    prefixes = {"weight_init": ("weight_ih",), "recurrent_init": ("weight_hh",),
                "bias_init": ("bias_ih", "bias_hh")}[imp.name]
    tensors = [t for pre in prefixes for t in _rnn_params(module, pre)]
    assert tensors
    for t in tensors:
        assert_uniform(t, 1 / math.sqrt(module.hidden_size), imp.name)


def check_no_unit_forget_bias(module, imp):
    h = module.hidden_size
    forget = torch.cat([t[h:2 * h] for t in _rnn_params(module, "bias_ih") + _rnn_params(module, "bias_hh")])
    assert_uniform(forget, 1 / math.sqrt(h), "forget-gate bias")
    assert forget.abs().max().item() < 1  # nothing near Keras's unit forget bias


def check_normal01(module, imp):
    assert_normal01(module.weight, "weight")


def check_mha_xavier(module, imp):
    assert_uniform(module.in_proj_weight, xavier_bound(module.in_proj_weight), "in_proj_weight")
    assert_uniform(module.out_proj.weight, 1 / math.sqrt(fan_in(module.out_proj.weight)), "out_proj.weight")


def check_mha_zero_bias(module, imp):
    assert not module.in_proj_bias.any() and not module.out_proj.bias.any()


def check_transformer_xavier(module, imp):
    matrices = [(n, p) for n, p in module.named_parameters() if p.dim() > 1]
    assert len(matrices) >= 8  # attention projections and feed-forward matrices of both stacks
    for n, p in matrices:
        assert_uniform(p, xavier_bound(p), n)


def check_cross_entropy_takes_logits(api, imp):
    torch.manual_seed(0)
    x, y = torch.randn(16, 5) * 3, torch.randint(0, 5, (16,))
    loss = nn.CrossEntropyLoss()(x, y)
    torch.testing.assert_close(loss, F.nll_loss(F.log_softmax(x, dim=1), y))
    probs = x.softmax(dim=1)
    assert not torch.allclose(nn.CrossEntropyLoss()(probs, y), F.nll_loss(probs.log(), y))


def check_bce_with_logits_takes_logits(api, imp):
    torch.manual_seed(0)
    x, y = torch.randn(32) * 3, torch.rand(32)
    torch.testing.assert_close(nn.BCEWithLogitsLoss()(x, y), nn.BCELoss()(torch.sigmoid(x), y))


IMPLICIT_CHECKS = {
    "kaiming_uniform_(a=math.sqrt(5))": check_kaiming_a_sqrt5,
    "uniform_(-1/math.sqrt(fan_in), 1/math.sqrt(fan_in))": check_bias_fan_in,
    "uniform_(-1/math.sqrt(in1_features), 1/math.sqrt(in1_features))": check_bilinear,
    "uniform_(-1/math.sqrt(hidden_size), 1/math.sqrt(hidden_size))": check_recurrent_uniform,
    "uniform_(-1/math.sqrt(hidden_size), 1/math.sqrt(hidden_size)) (no unit forget bias)": check_no_unit_forget_bias,
    "normal_(0, 1)": check_normal01,
    "xavier_uniform_(in_proj_weight)": check_mha_xavier,
    "zeros_(in_proj_bias, out_proj.bias)": check_mha_zero_bias,
    "xavier_uniform_(every parameter with dim > 1)": check_transformer_xavier,
}
BEHAVIOUR_IMPLICIT = {
    ("torch.nn.CrossEntropyLoss", "from_logits"): check_cross_entropy_takes_logits,
    ("torch.nn.BCEWithLogitsLoss", "from_logits"): check_bce_with_logits_takes_logits,
}

IMPLICIT_CASES = [
    pytest.param(n, i, id=f"{n}.{imp.name}")
    for n, api in ROWS.items() for i, imp in enumerate(api.implicit)
    if api.file != "torch/lazy.toml" and _expect(n, f"implicit:{imp.name}")  # lazy: test_lazy_table.py
]


@pytest.mark.parametrize("name,index", IMPLICIT_CASES)
def test_implicit_fact_holds(name, index):
    api = ROWS[name]
    imp = api.implicit[index]
    assert imp.verified in ("instantiation", "behaviour"), f"{name}.{imp.name}: verified = {imp.verified!r}"
    if imp.explicit:
        assert "{obj}" in imp.explicit, f"{name}.{imp.name}: `explicit` must name the object as {{obj}}"
    if imp.verified == "behaviour":
        BEHAVIOUR_IMPLICIT[(name, imp.name)](api, imp)
    else:
        assert name in INSTANCES, f"{name}: no instance to measure {imp.name} on"
        assert imp.value in IMPLICIT_CHECKS, f"{name}.{imp.name}: no check for the value {imp.value!r}"
        torch.manual_seed(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. Transformer's note on the nested-tensor fast path
            module = INSTANCES[name]()
        assert isinstance(module, obj_of(api))
        IMPLICIT_CHECKS[imp.value](module, imp)
    _passed(name, f"implicit:{imp.name}")


# -- sentinels resolved at run time -------------------------------------------------------------------------
def _images():
    torch.manual_seed(0)
    return torch.randn(1, 2, 5, 7)


def _same_as(call, text, other):
    """call(None-default) equals call(resolved value) and differs from call(other) (the check can tell)."""
    base = call()
    torch.testing.assert_close(base, call(value(text)))
    assert not torch.allclose(base, call(other))


def resolves_upsample_align_corners(fact):
    x = _images()
    _same_as(lambda *a: nn.Upsample(scale_factor=2, mode="bilinear", **_kw("align_corners", a))(x),
             fact.resolves, True)
    # resolves_when: outside the interpolating modes only None is accepted
    with pytest.raises(ValueError, match="align_corners"):
        nn.Upsample(scale_factor=2, mode="nearest", align_corners=value(fact.resolves))(x)


def resolves_upsample_recompute(fact):
    x = _images()
    _same_as(lambda *a: nn.Upsample(scale_factor=1.7, mode="bilinear", **_kw("recompute_scale_factor", a))(x),
             fact.resolves, True)


def resolves_interpolate_align_corners(fact):
    x = _images()
    _same_as(lambda *a: F.interpolate(x, scale_factor=2, mode="bilinear", **_kw("align_corners", a)),
             fact.resolves, True)
    with pytest.raises(ValueError, match="align_corners"):
        F.interpolate(x, scale_factor=2, mode="nearest", align_corners=value(fact.resolves))


def resolves_interpolate_recompute(fact):
    x = _images()
    _same_as(lambda *a: F.interpolate(x, scale_factor=1.7, mode="bilinear", **_kw("recompute_scale_factor", a)),
             fact.resolves, True)


def resolves_grid_sample_align_corners(fact):
    x = _images()
    torch.manual_seed(1)
    grid = torch.rand(1, 4, 6, 2) * 2 - 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_as(lambda *a: F.grid_sample(x, grid, **_kw("align_corners", a)), fact.resolves, True)


def resolves_affine_grid_align_corners(fact):
    torch.manual_seed(1)
    theta = torch.randn(1, 2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _same_as(lambda *a: F.affine_grid(theta, [1, 2, 5, 7], **_kw("align_corners", a)), fact.resolves, True)


def resolves_rmsnorm_eps(fact):
    torch.manual_seed(0)
    x = torch.randn(4, 8) * 1e-4  # small enough that eps shows
    _same_as(lambda *a: nn.RMSNorm(8, **_kw("eps", a))(x), fact.resolves, 1e-6)
    # resolved_by: the eps of the dtype rms_norm computes in - float32 for half inputs, float64 for double
    for dtype, eps_dtype in ((torch.bfloat16, torch.float32), (torch.float16, torch.float32),
                             (torch.float64, torch.float64)):
        xd = x.to(dtype)
        torch.testing.assert_close(nn.RMSNorm(8, dtype=dtype)(xd),
                                   nn.RMSNorm(8, eps=torch.finfo(eps_dtype).eps, dtype=dtype)(xd), atol=0, rtol=0)
    assert not torch.equal(nn.RMSNorm(8, dtype=torch.float64)(x.double()),
                           nn.RMSNorm(8, eps=torch.finfo(torch.float32).eps, dtype=torch.float64)(x.double()))


def resolves_dataloader_shuffle(fact):
    from torch.utils.data import DataLoader, SequentialSampler

    loader = DataLoader(range(20), batch_size=4)
    assert isinstance(loader.sampler, SequentialSampler)
    assert [b.tolist() for b in loader] == [b.tolist() for b in
                                            DataLoader(range(20), batch_size=4, shuffle=value(fact.resolves))]


def resolves_dataloader_prefetch(fact):
    from torch.utils.data import DataLoader

    assert DataLoader(range(8), num_workers=2).prefetch_factor == value(fact.resolves)
    # resolves_when num_workers > 0: otherwise it stays None, and the resolved value is an error
    assert DataLoader(range(8)).prefetch_factor is None
    with pytest.raises(ValueError, match="prefetch_factor"):
        DataLoader(range(8), prefetch_factor=value(fact.resolves))


def resolves_mha_dim(param):
    def check(fact):
        mha = nn.MultiheadAttention(16, 4)
        assert getattr(mha, param) == value(fact.resolves, embed_dim=16)
        assert getattr(nn.MultiheadAttention(16, 4, kdim=8, vdim=8), param) == 8
    return check


def resolves_meshgrid_indexing(fact):
    a, b = torch.arange(3.0), torch.arange(2.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        implicit = torch.meshgrid(a, b)
    for got, want in zip(implicit, torch.meshgrid(a, b, indexing=value(fact.resolves))):
        torch.testing.assert_close(got, want)
    assert implicit[0].shape != torch.meshgrid(a, b, indexing="xy")[0].shape


def resolves_stft_return_complex(fact):
    assert fact.resolves == REQUIRED
    torch.manual_seed(0)
    window = torch.hann_window(16)
    with pytest.raises(RuntimeError, match="return_complex"):
        torch.stft(torch.randn(128), 16, window=window)
    z = torch.randn(128, dtype=torch.complex64)
    torch.testing.assert_close(torch.stft(z, 16, window=window), torch.stft(z, 16, window=window, return_complex=True))


class Opaque:
    """A class no weights-only unpickler allows."""


def resolves_load_weights_only(fact, monkeypatch):
    monkeypatch.delenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", raising=False)
    monkeypatch.delenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", raising=False)
    buf = io.BytesIO()
    torch.save({"w": torch.ones(2), "x": Opaque()}, buf)
    for call in (lambda: torch.load(io.BytesIO(buf.getvalue())),
                 lambda: torch.load(io.BytesIO(buf.getvalue()), weights_only=value(fact.resolves))):
        with pytest.raises(pickle.UnpicklingError):
            call()
    assert isinstance(torch.load(io.BytesIO(buf.getvalue()), weights_only=False)["x"], Opaque)


def resolves_calculate_gain_param(fact):
    init = nn.init
    assert init.calculate_gain("leaky_relu") == init.calculate_gain("leaky_relu", value(fact.resolves))
    assert init.calculate_gain("leaky_relu") != init.calculate_gain("leaky_relu", 0.2)
    # applies_when nonlinearity == 'leaky_relu': the other nonlinearities ignore it
    assert init.calculate_gain("tanh") == init.calculate_gain("tanh", 0.2)


def resolves_autocast_dtype(fact):
    # resolved per device type: the resolution names device_type, so it is evaluated for each device
    for device, dtype in (("cpu", torch.bfloat16), ("cuda", torch.float16)):
        assert value(fact.resolves, device_type=device) == dtype
    with torch.autocast("cpu"):
        assert torch.get_autocast_dtype("cpu") == torch.bfloat16
        assert (torch.ones(4, 4) @ torch.ones(4, 4)).dtype == torch.bfloat16  # what the region computes in
    assert torch.autocast("cpu").fast_dtype == value(fact.resolves, device_type="cpu")
    assert torch.autocast("cuda", enabled=False).fast_dtype == value(fact.resolves, device_type="cuda")


def _compile_mode(monkeypatch, **kw):
    """The mode and backend torch.compile hands to its Inductor wrapper (compilation itself is lazy)."""
    seen = {}
    real = torch._TorchCompileInductorWrapper.__init__

    def spy(self, mode, options, dynamic, *rest):
        seen["mode"] = mode
        real(self, mode, options, dynamic, *rest)

    monkeypatch.setattr(torch._TorchCompileInductorWrapper, "__init__", spy)
    torch.compile(lambda x: x + 1, **kw)
    return seen.get("mode")


def resolves_compile_mode(fact, monkeypatch):
    assert _compile_mode(monkeypatch) == value(fact.resolves)
    assert _compile_mode(monkeypatch, mode=value(fact.resolves)) == value(fact.resolves)
    # applies_when not given('options'): with options, mode stays None
    assert _compile_mode(monkeypatch, options={"trace.enabled": False}) is None


def resolves_compile_backend(fact, monkeypatch):
    assert torch.compiler.get_default_backend() == value(fact.resolves)
    assert _compile_mode(monkeypatch) is not None  # None took the Inductor path, as backend='inductor' does
    assert _compile_mode(monkeypatch, backend=value(fact.resolves)) is not None


def resolves_cyclic_step_size_down(fact):
    def lrs(**kw):
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
        sched = torch.optim.lr_scheduler.CyclicLR(opt, 0.0, 1.0, step_size_up=4, **kw)
        out = []
        for _ in range(12):
            out.append(round(opt.param_groups[0]["lr"], 6))
            opt.step()
            sched.step()
        return out

    assert lrs() == lrs(step_size_down=value(fact.resolves, step_size_up=4))
    assert lrs() != lrs(step_size_down=2)


def resolves_pad_value(fact):
    torch.manual_seed(0)
    x = torch.randn(1, 2, 3, 3)
    _same_as(lambda *a: F.pad(x, (1, 1, 1, 1), **_kw("value", a)), fact.resolves, 1.0)
    # applies_when mode == 'constant': the other modes take no value
    with pytest.raises(RuntimeError, match="value"):
        F.pad(x, (1, 1, 1, 1), mode="reflect", value=5.0)


def _kw(name, args):
    return {name: args[0]} if args else {}


RESOLVES_CHECKS = {
    ("torch.nn.Upsample", "align_corners"): resolves_upsample_align_corners,
    ("torch.nn.Upsample", "recompute_scale_factor"): resolves_upsample_recompute,
    ("torch.nn.functional.interpolate", "align_corners"): resolves_interpolate_align_corners,
    ("torch.nn.functional.interpolate", "recompute_scale_factor"): resolves_interpolate_recompute,
    ("torch.nn.functional.grid_sample", "align_corners"): resolves_grid_sample_align_corners,
    ("torch.nn.functional.affine_grid", "align_corners"): resolves_affine_grid_align_corners,
    ("torch.nn.RMSNorm", "eps"): resolves_rmsnorm_eps,
    ("torch.utils.data.DataLoader", "shuffle"): resolves_dataloader_shuffle,
    ("torch.utils.data.DataLoader", "prefetch_factor"): resolves_dataloader_prefetch,
    ("torch.nn.MultiheadAttention", "kdim"): resolves_mha_dim("kdim"),
    ("torch.nn.MultiheadAttention", "vdim"): resolves_mha_dim("vdim"),
    ("torch.meshgrid", "indexing"): resolves_meshgrid_indexing,
    ("torch.stft", "return_complex"): resolves_stft_return_complex,
    ("torch.load", "weights_only"): resolves_load_weights_only,
    ("torch.nn.init.calculate_gain", "param"): resolves_calculate_gain_param,
    ("torch.autocast", "dtype"): resolves_autocast_dtype,
    ("torch.compile", "mode"): resolves_compile_mode,
    ("torch.compile", "backend"): resolves_compile_backend,
    ("torch.optim.lr_scheduler.CyclicLR", "step_size_down"): resolves_cyclic_step_size_down,
    ("torch.nn.functional.pad", "value"): resolves_pad_value,
}

RESOLVES_CASES = [
    pytest.param(n, p, id=f"{n}.{p}")
    for n, api in ROWS.items() for p, fact in api.facts.items() if fact.resolves and _expect(n, f"resolves:{p}")
]


@pytest.mark.parametrize("name,param", RESOLVES_CASES)
def test_resolved_sentinel_holds_at_run_time(name, param, monkeypatch):
    api = ROWS[name]
    fact = api.fact(param)
    assert fact.resolved_by, f"{name}.{param}: `resolves` needs `resolved_by`"
    assert (name, param) in RESOLVES_CHECKS, f"{name}.{param}: no run-time check for resolves = {fact.resolves!r}"
    check = RESOLVES_CHECKS[(name, param)]
    if "monkeypatch" in check.__code__.co_varnames:
        check(fact, monkeypatch)
    else:
        check(fact)
    _passed(name, f"resolves:{param}")


# -- rows whose defaults are verified by running: C functions, and constructors behind overloads ------------
def behaviour_gelu(api):
    x = torch.linspace(-4, 4, 101)
    torch.testing.assert_close(F.gelu(x), F.gelu(x, approximate="none"))
    assert not torch.allclose(F.gelu(x), F.gelu(x, approximate="tanh"), atol=0, rtol=0)
    torch.testing.assert_close(F.gelu(x), x * 0.5 * (1 + torch.erf(x / math.sqrt(2))))  # the exact form


def behaviour_sdpa(api):
    torch.manual_seed(0)
    q, k, v = (torch.randn(2, 4, 8, 16) for _ in range(3))
    out = F.scaled_dot_product_attention(q, k, v)
    explicit = {p.name: value(p.default) for p in api.params if p.default is not None}
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, **explicit))
    # scale=None is 1 / sqrt(E), as the note says
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, scale=1 / math.sqrt(16)))
    assert not torch.allclose(out, F.scaled_dot_product_attention(q, k, v, is_causal=True))


def behaviour_reduction(fn):
    def check(api):
        torch.manual_seed(0)
        x = torch.randn(7, 5)
        explicit = {p.name: value(p.default) for p in api.params if p.default is not None and p.name != "out"}
        torch.testing.assert_close(fn(x), fn(x, **explicit))
        assert not torch.allclose(fn(x), fn(x, correction=0))  # the default correction is not the population one
        n = x.numel()
        population = fn(x, correction=0)
        ratio = n / (n - 1) if fn is torch.var else math.sqrt(n / (n - 1))
        torch.testing.assert_close(fn(x), population * ratio)  # Bessel's correction: N - 1
        torch.testing.assert_close(fn(x), fn(x, unbiased=True))  # the legacy overload the note names
    return check


def _alternative(default):
    """A value other than a default, of the same type (to see that positional order is the documented one)."""
    if isinstance(default, bool):
        return not default
    if isinstance(default, int):
        return default + 1
    if isinstance(default, float):
        return 0.5 if default == 0 else default / 2
    if default == "tanh":
        return "relu"
    raise AssertionError(f"no alternative for {default!r}")


def behaviour_overloaded_constructor(api):
    """Constructors behind typing.overload: the defaults and the positional order, read back from attributes."""
    cls = obj_of(api)
    params = [p for p in api.params if p.name not in ("device", "dtype")]
    required = [p for p in params if p.default is None]
    required_values = [4, 8]
    assert [p.name for p in required] == ["input_size", "hidden_size"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        layer = cls(*required_values)
        for p in params[len(required):]:
            assert getattr(layer, p.name) == value(p.default), p.name
        others = [_alternative(value(p.default)) for p in params[len(required):] if p.kind == POS_OR_KW]
        layer = cls(*required_values, *others)
    for p, expected in zip(params[len(required):], others):
        assert getattr(layer, p.name) == expected, f"{p.name} is not at its documented position"


def behaviour_avg_pool2d(api):
    torch.manual_seed(0)
    x = torch.rand(1, 2, 6, 6) + 1
    explicit = {p.name: value(p.default) for p in api.params if p.default is not None}
    torch.testing.assert_close(F.avg_pool2d(x, 2), F.avg_pool2d(x, 2, **explicit))
    torch.testing.assert_close(F.avg_pool2d(x, 2), F.avg_pool2d(x, 2, stride=2))  # stride None: kernel_size
    # count_include_pad=True: the zero padding counts in each average, so the corner output is a quarter
    padded = F.avg_pool2d(x, 2, padding=1)
    torch.testing.assert_close(padded[..., 0, 0], x[..., 0, 0] / 4)
    torch.testing.assert_close(F.avg_pool2d(x, 2, padding=1, count_include_pad=False)[..., 0, 0], x[..., 0, 0])


BEHAVIOUR_CHECKS = {
    "torch.nn.functional.avg_pool2d": behaviour_avg_pool2d,
    "torch.nn.functional.gelu": behaviour_gelu,
    "torch.nn.functional.scaled_dot_product_attention": behaviour_sdpa,
    "torch.std": behaviour_reduction(torch.std),
    "torch.var": behaviour_reduction(torch.var),
    "torch.nn.LSTM": behaviour_overloaded_constructor,
    "torch.nn.GRU": behaviour_overloaded_constructor,
    "torch.nn.RNN": behaviour_overloaded_constructor,
}


def _needs_behaviour(api) -> bool:
    if api.verified == "behaviour":
        return True
    try:
        return tablegen._only_varargs(inspect.signature(obj_of(api)))
    except (TypeError, ValueError):
        return True


BEHAVIOUR_CASES = [n for n, api in ROWS.items() if _needs_behaviour(api) and _expect(n, "behaviour")]


@pytest.mark.parametrize("name", BEHAVIOUR_CASES)
def test_defaults_hold_when_run(name):
    api = ROWS[name]
    assert name in BEHAVIOUR_CHECKS, f"{name}: its signature is not inspectable; add a behaviour check"
    BEHAVIOUR_CHECKS[name](api)
    _passed(name, "behaviour")


def test_every_behaviour_check_names_a_row_that_needs_it():
    assert set(BEHAVIOUR_CHECKS) == set(BEHAVIOUR_CASES)


# -- versions -----------------------------------------------------------------------------------------------
def _current(api, param) -> str | None:
    p = api.param(param)
    if p is not None:
        return api.fact(param).resolves or p.default
    return next((i.value for i in api.implicit if i.name == param), None)


CHANGE_CASES = [
    pytest.param(n, i, id=f"{n}.{c.param}@{'.'.join(map(str, c.version))}")
    for n, api in ROWS.items() for i, c in enumerate(api.changes) if _expect(n, f"change:{i}")
]


@pytest.mark.parametrize("name,index", CHANGE_CASES)
def test_change_has_a_source_and_ends_at_the_current_value(name, index):
    api = ROWS[name]
    change = api.changes[index]
    assert change.source.startswith("https://") or re.fullmatch(r"torch-\S+\.whl \(sha256 [0-9a-f]{64}\)",
                                                                 change.source), change.source
    assert change.version <= api.verified_version
    for text in (change.before, change.after):
        assert text == REQUIRED or compile(text, "<table>", "eval")
    newer = [c for c in api.changes if c.param == change.param and c.version > change.version]
    if not newer:
        assert change.after == _current(api, change.param), "the newest change must end at the value in force"
    else:
        assert min(newer, key=lambda c: c.version).before == change.after
    CHANGES_VERIFIED.add((name, change.param, str(change.version)))
    _passed(name, f"change:{index}")


HISTORY_CASES = [
    pytest.param(n, i, id=f"{n}.{h.param}@{format_version(h.version)}")
    for n, api in ROWS.items() for i, h in enumerate(api.history) if _expect(n, f"history:{i}")
]


@pytest.mark.parametrize("name,index", HISTORY_CASES)
def test_history_entry_has_a_source(name, index):
    """Signature events that do not change the value in force (a parameter added, a sentinel introduced)."""
    api = ROWS[name]
    entry = api.history[index]
    assert entry.event and entry.source.startswith("https://"), entry.source
    assert api.param(entry.param) is not None
    assert entry.version <= api.verified_version
    HISTORY_VERIFIED.add((name, entry.param, format_version(entry.version)))
    _passed(name, f"history:{index}")


# -- the facts the checker reads are well formed ------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in ROWS if _expect(n, "facts")])
def test_row_facts_are_well_formed(name):
    api = ROWS[name]
    assert api.kind in ("class", "function", "method")
    assert api.kind == ("class" if isinstance(obj_of(api), type) else api.kind)
    for pname, fact in api.facts.items():
        if fact.convert:
            from defaultlint.core.table import CONVERSIONS

            assert fact.convert in CONVERSIONS, f"{pname}: unknown conversion {fact.convert!r}"
        if fact.code:
            assert fact.code in TABLE.codes, f"{pname}: unknown code {fact.code}"
    for p in api.params:
        if TABLE.is_hyper(api, p):
            assert TABLE.code_for(api, p.name) in TABLE.codes
        if p.kind == KW_ONLY or p.default is None:
            continue
        assert p.default == REQUIRED or compile(p.default, "<table>", "eval")
    for imp in api.implicit:
        assert TABLE.code_for(api, imp.name) in TABLE.codes
    _passed(name, "facts")


# -- the dump tool writes what the table records ------------------------------------------------------------
def test_tablegen_dumps_the_recorded_rows():
    import tomllib

    names = ["torch.nn.Linear", "torch.nn.LSTM", "torch.std", "torch.optim.SGD", "torch.load"]
    data = tomllib.loads(tablegen.dump(names, meta=True))
    assert parse_version(data["meta"]["verified_version"]) == TABLE.frameworks["torch"].verified
    assert [row["name"] for row in data["api"]] == names
    for row in data["api"]:
        api = ROWS[row["name"]]
        assert parse_signature(row["signature"], api.name) == api.params
        assert set(row.get("spellings", ())) == set(api.spellings)
        assert (row["kind"], row["category"]) == (api.kind, api.category)
        assert row.get("verified") == api.verified


def test_tablegen_check_reports_no_difference(capsys):
    assert tablegen.check([str(Path(TABLE.root) / "torch")]) == 0
    assert f"{len(ROWS)} rows checked against torch" in capsys.readouterr().out


def test_tablegen_spells_defaults_as_source():
    def f(a, /, b=1, *args, c=(1,), d=float("inf"), e=F.relu, g=torch.float32, **kw):
        pass

    def h(a, *, b=None):
        pass

    text = tablegen.signature_text(inspect.signature(f))
    assert text == "(a, /, b=1, *args, c=(1,), d=float('inf'), e=torch.nn.functional.relu, g=torch.float32, **kw)"
    assert [p.name for p in parse_signature(text, "f")] == ["a", "b", "args", "c", "d", "e", "g", "kw"]
    assert tablegen.signature_text(inspect.signature(h)) == "(a, *, b=None)"


def test_tablegen_check_finds_nothing_to_update():
    """`python -m defaultlint.tools.tablegen --check` (how a new release is compared) agrees with every row."""
    from defaultlint.tools import tablegen

    assert {name: problems for name, api in ROWS.items() if (problems := tablegen.compare(api))} == {}
