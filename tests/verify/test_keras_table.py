"""The Keras and TensorFlow rows of the default table, checked against the installed releases.

Every row's signature is compared with `inspect.signature` of the real object, every spelling must import as
the same object, every `resolves` of a sentinel is established by running the framework, and the facts that a
signature only names (initialisers, momentum conventions, approximations, where epsilon enters) are measured
by instantiating and running. Nothing here is taken from documentation.
"""

from __future__ import annotations

import inspect
import math
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from conftest import lint, require_framework
from defaultlint.core.table import KW_ONLY, POS_ONLY, POS_OR_KW, REQUIRED, VAR_KW, VAR_POS
from defaultlint.project.tables import load_table
from defaultlint.tools.tablegen import DumpError, resolve
from defaultlint.core.versions import parse_version

# Keras reads its backend and configuration when first imported: a clean configuration folder keeps the
# user's ~/.keras out of the measurements (and untouched), and the TensorFlow backend is the one tf.keras uses.
os.environ["KERAS_BACKEND"] = "tensorflow"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
if "keras" not in sys.modules:
    os.environ.setdefault("KERAS_HOME", tempfile.mkdtemp(prefix="defaultlint-keras-home-"))

tf = require_framework("tensorflow")
keras = require_framework("keras")
np = require_framework("numpy")

pytestmark = pytest.mark.frameworks

TABLE = load_table()
ROWS = {name: api for name, api in TABLE.apis.items() if api.framework in ("keras", "tensorflow")}
INSTALLED = {"keras": keras.__version__, "tensorflow": tf.__version__}
KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: POS_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD: POS_OR_KW,
    inspect.Parameter.VAR_POSITIONAL: VAR_POS, inspect.Parameter.KEYWORD_ONLY: KW_ONLY,
    inspect.Parameter.VAR_KEYWORD: VAR_KW,
}


def real_params(api) -> list[tuple[str, str, str | None]]:
    params = list(inspect.signature(resolve(api.name)).parameters.values())
    if api.kind == "method":
        assert params and params[0].name == "self", f"{api.name} is recorded as a method but has no self"
        params = params[1:]
    return [(p.name, KINDS[p.kind], None if p.default is p.empty else repr(p.default)) for p in params]


def test_the_table_has_the_keras_and_tensorflow_rows():
    assert len([a for a in ROWS.values() if a.framework == "keras"]) >= 60
    assert len([a for a in ROWS.values() if a.framework == "tensorflow"]) >= 5


@pytest.mark.parametrize("name", sorted(ROWS))
def test_the_row_records_the_installed_release(name):
    api = ROWS[name]
    assert api.verified_version == parse_version(INSTALLED[api.framework])


@pytest.mark.parametrize("name", sorted(ROWS))
def test_signature_matches_the_installed_release(name):
    api = ROWS[name]
    recorded = [(p.name, p.kind, p.default) for p in api.params]
    assert recorded == real_params(api)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_kind_matches_the_object(name):
    api = ROWS[name]
    obj = resolve(name)
    if api.kind == "class":
        assert inspect.isclass(obj)
    elif api.kind == "method":
        owner = resolve(name.rsplit(".", 1)[0])
        assert inspect.isclass(owner) and inspect.isfunction(inspect.getattr_static(owner, obj.__name__, None)
                                                             or getattr(owner, obj.__name__))
    else:
        assert api.kind == "function" and callable(obj) and not inspect.isclass(obj)


@pytest.mark.parametrize("name", sorted(ROWS))
def test_each_spelling_imports_as_the_same_object(name):
    obj = resolve(name)
    for spelling in ROWS[name].spellings:
        assert resolve(spelling) is obj, spelling


@pytest.mark.parametrize("name", sorted(ROWS))
def test_changes_end_at_the_recorded_default_and_cite_a_source(name):
    api = ROWS[name]
    for ch in api.changes:
        assert ch.source.startswith("https://") or re.fullmatch(r"keras-\S+\.whl \(sha256 [0-9a-f]{64}\)", ch.source), ch
        assert ch.version <= api.verified_version, ch
        p = api.param(ch.param)
        assert p is not None, f"change of unknown parameter {ch.param}"
        assert ch.after == (p.default if p.default is not None else REQUIRED), ch
        assert ch.before != ch.after


def _torch_names(counterpart: str) -> set[str] | None:
    """Parameter names of a torch counterpart (and the implicit facts its row records), None when unknown."""
    try:
        obj = resolve(counterpart)
    except DumpError:
        return None
    try:
        names = set(inspect.signature(obj).parameters)
        for base in getattr(obj, "__mro__", ())[1:]:  # torch RNNs take (*args, **kwargs) and pass them up
            if names <= {"args", "kwargs"} and "__init__" in vars(base):
                names |= set(inspect.signature(base).parameters)
    except ValueError:  # a builtin without a text signature: its docstring opens with the signature
        head = (obj.__doc__ or "").strip().split("\n", 1)[0]
        names = set(re.findall(r"(\w+)\s*=", head))
    other = TABLE.apis.get(counterpart)
    if other is not None:
        names |= {i.name for i in other.implicit}
    return names


@pytest.mark.parametrize("name", sorted(n for n, a in ROWS.items() if a.counterpart))
def test_counterpart_parameters_exist(name):
    require_framework("torch")
    api = ROWS[name]
    assert api.counterpart.startswith("torch."), api.counterpart
    names = _torch_names(api.counterpart)
    assert names is not None, f"{api.counterpart} does not import"
    for pname, fact in api.facts.items():
        for cp in fact.counterparts:
            # `*_init` names the initialisation a torch row records as an implicit fact; the torch half of the
            # table owns those rows, so such a name is only checked once that row exists.
            if cp and not (cp.endswith("_init") and api.counterpart not in TABLE.apis):
                assert cp in names, f"{pname}: {api.counterpart} has no {cp}"


# -- resolved sentinels -----------------------------------------------------------------------------------
CLEAN_CONFIG_PROBE = """
import keras
print(keras.config.image_data_format())
print(keras.layers.Conv2D(1, 1).get_config()["data_format"])
print(keras.layers.Flatten().get_config()["data_format"])
"""


def test_data_format_resolves_to_channels_last_in_a_clean_configuration(tmp_path):
    env = {**os.environ, "KERAS_HOME": str(tmp_path), "KERAS_BACKEND": "tensorflow", "TF_CPP_MIN_LOG_LEVEL": "3"}
    out = subprocess.run([sys.executable, "-c", CLEAN_CONFIG_PROBE], capture_output=True, text=True, env=env,
                         check=True).stdout.split()
    assert out == ["channels_last"] * 3
    # TensorFlow's own ops spell their layout as a literal ('NHWC'); the Keras rows read the configuration
    rows = [(n, a.fact("data_format")) for n, a in ROWS.items() if a.param("data_format") and a.framework == "keras"]
    assert len(rows) >= 20
    for name, fact in rows:
        assert (fact.resolves, fact.resolved_by) == ("'channels_last'", "keras.config.image_data_format()"), name
        assert ROWS[name].param("data_format").default == "None", name


def _count_batches(method: str, n: int) -> int:
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x, y = np.zeros((n, 2), "float32"), np.zeros((n, 1), "float32")
    seen = []
    hook = {"fit": "on_train_batch_end", "evaluate": "on_test_batch_end", "predict": "on_predict_batch_end"}[method]
    callback = keras.callbacks.LambdaCallback(**{hook: lambda batch, logs: seen.append(batch)})
    if method == "predict":
        model.predict(x, callbacks=[callback], verbose=0)
    else:
        getattr(model, method)(x, y, callbacks=[callback], verbose=0)
    return len(seen)


@pytest.mark.parametrize("method", ["fit", "evaluate", "predict"])
def test_batch_size_none_resolves_to_32(method):
    api = ROWS[f"keras.Model.{method}"]
    assert api.fact("batch_size").resolves == "32"
    assert _count_batches(method, 100) == math.ceil(100 / 32)


def test_every_resolves_fact_has_a_check():
    checked = {("'channels_last'", "keras.config.image_data_format()")} | {
        ("32", f"keras.Model.{m}") for m in ("fit", "evaluate", "predict")}
    for name, api in ROWS.items():
        for pname, fact in api.facts.items():
            if fact.resolves is not None:
                assert (fact.resolves, fact.resolved_by) in checked, f"{name}.{pname}: no behaviour check"


# -- facts measured by instantiation and behaviour ----------------------------------------------------------
BEHAVIOUR: set[str] = set()


def covers(*names):
    """Mark a test as verifying rows by behaviour (counted in the summary)."""
    BEHAVIOUR.update(names)
    return lambda fn: fn


def _glorot_bound(fan_in, fan_out):
    return math.sqrt(6 / (fan_in + fan_out))


@covers("keras.layers.Dense")
def test_dense_kernel_is_glorot_uniform_and_bias_zero():
    layer = keras.layers.Dense(300)
    layer.build((None, 200))
    kernel, bias = layer.kernel.numpy(), layer.bias.numpy()
    bound = _glorot_bound(200, 300)
    assert np.abs(kernel).max() <= bound and np.abs(kernel).max() > 0.99 * bound
    assert abs(kernel.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert not bias.any()


@covers("keras.layers.Conv2D")
def test_conv2d_kernel_is_glorot_uniform_over_receptive_field():
    layer = keras.layers.Conv2D(64, 3)
    layer.build((None, 8, 8, 32))
    kernel = layer.kernel.numpy()
    assert kernel.shape == (3, 3, 32, 64)  # channels-last kernel layout: (kh, kw, in, out)
    bound = _glorot_bound(9 * 32, 9 * 64)
    assert bound * 0.99 < np.abs(kernel).max() <= bound
    assert not layer.bias.numpy().any()


@covers("keras.layers.Embedding")
def test_embedding_uniform_is_plus_minus_0_05():
    layer = keras.layers.Embedding(1000, 64)
    layer.build((None,))
    w = layer.embeddings.numpy()
    assert 0.049 < np.abs(w).max() <= 0.05


@covers("keras.layers.LSTM", "keras.layers.LSTMCell")
def test_lstm_initialisers_and_forget_bias():
    units, inputs = 8, 5
    layer = keras.layers.LSTM(units)
    layer.build((None, 3, inputs))
    cell = layer.cell
    kernel, recurrent, bias = cell.kernel.numpy(), cell.recurrent_kernel.numpy(), cell.bias.numpy()
    assert kernel.shape == (inputs, 4 * units)
    assert np.abs(kernel).max() <= _glorot_bound(inputs, 4 * units)
    # orthogonal recurrent kernel: (units, 4 * units) with orthonormal rows
    assert np.allclose(recurrent @ recurrent.T, np.eye(units), atol=1e-5)
    # gate order i, f, c, o: only the forget gate starts at 1 (unit_forget_bias=True)
    assert np.all(bias[units:2 * units] == 1) and not bias[:units].any() and not bias[2 * units:].any()


@covers("keras.layers.GRU", "keras.layers.GRUCell")
def test_gru_reset_after_keeps_separate_recurrent_biases():
    layer = keras.layers.GRU(4)
    layer.build((None, 3, 2))
    assert layer.cell.reset_after is True
    assert tuple(layer.cell.bias.shape) == (2, 12)  # input and recurrent biases, as cuDNN and torch keep them
    old = keras.layers.GRU(4, reset_after=False)
    old.build((None, 3, 2))
    assert tuple(old.cell.bias.shape) == (12,)


@covers("keras.layers.SimpleRNN", "keras.layers.SimpleRNNCell")
def test_simple_rnn_recurrent_kernel_is_orthogonal():
    layer = keras.layers.SimpleRNN(6)
    layer.build((None, 3, 4))
    r = layer.cell.recurrent_kernel.numpy()
    assert np.allclose(r @ r.T, np.eye(6), atol=1e-5)


@covers("keras.layers.BatchNormalization")
def test_batch_norm_momentum_keeps_momentum_of_the_old_statistic():
    layer = keras.layers.BatchNormalization()
    x = np.full((4, 3), 5.0, "float32")
    layer(x, training=True)
    # moving = momentum * moving + (1 - momentum) * batch, from moving_mean 0 and moving_variance 1
    assert np.allclose(layer.moving_mean.numpy(), 0.01 * 5.0, rtol=1e-5)
    assert np.allclose(layer.moving_variance.numpy(), 0.99, rtol=1e-5)
    assert layer.epsilon == 0.001


@covers("keras.layers.LeakyReLU", "keras.activations.leaky_relu", "keras.ops.leaky_relu")
def test_leaky_relu_slopes():
    x = np.array([-1.0], "float32")
    assert np.allclose(keras.layers.LeakyReLU()(x), -0.3)
    assert np.allclose(keras.activations.leaky_relu(x), -0.2)
    assert np.allclose(keras.ops.leaky_relu(x), -0.2)


@covers("keras.layers.PReLU")
def test_prelu_slope_starts_at_zero_per_element():
    layer = keras.layers.PReLU()
    layer.build((None, 3, 4))
    assert layer.alpha.shape == (3, 4) and not layer.alpha.numpy().any()


@covers("keras.ops.gelu", "keras.activations.gelu", "tensorflow.nn.gelu")
def test_gelu_approximation_defaults():
    x = np.array([1.0, -0.5, 2.0], "float64")
    exact = 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    tanh = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))
    assert np.abs(exact - tanh).max() > 1e-4  # the two are distinguishable at float32 precision

    def close(y, ref):
        return np.abs(np.asarray(y, "float64") - ref).max() < 1e-6

    x32 = x.astype("float32")
    assert close(keras.ops.gelu(x32), tanh) and not close(keras.ops.gelu(x32), exact)
    assert close(keras.activations.gelu(x32), exact)
    assert close(tf.nn.gelu(x32), exact)


@covers("keras.layers.MaxPooling2D", "keras.layers.AveragePooling2D")
def test_pooling_strides_default_to_pool_size_and_average_pooling_needs_a_size():
    x = np.zeros((1, 9, 9, 1), "float32")
    assert tuple(keras.layers.MaxPooling2D(3)(x).shape) == (1, 3, 3, 1)
    assert tuple(keras.layers.MaxPooling2D()(x).shape) == (1, 4, 4, 1)
    assert tuple(keras.layers.AveragePooling2D(3)(x).shape) == (1, 3, 3, 1)
    with pytest.raises(TypeError):
        keras.layers.AveragePooling2D()


@covers("keras.layers.GlobalAveragePooling2D")
def test_global_pooling_drops_the_pooled_axes():
    assert tuple(keras.layers.GlobalAveragePooling2D()(np.ones((2, 4, 4, 3), "float32")).shape) == (2, 3)


@covers("keras.optimizers.RMSprop")
def test_rmsprop_adds_epsilon_inside_the_square_root():
    lr, g, rho, eps = 0.001, 1e-3, 0.9, 1e-7
    var = keras.Variable(np.zeros((1,), "float32"))
    keras.optimizers.RMSprop().apply_gradients([(np.full((1,), g, "float32"), var)])
    v = (1 - rho) * g * g
    inside, outside = lr * g / math.sqrt(v + eps), lr * g / (math.sqrt(v) + eps)
    step = -float(var.numpy()[0])
    assert abs(step - inside) < 1e-3 * inside and abs(step - outside) > 0.1 * outside


@covers("keras.optimizers.Adam", "keras.optimizers.SGD")
def test_weight_decay_is_decoupled_and_scaled_by_the_learning_rate():
    var = keras.Variable(np.ones((1,), "float32"))
    keras.optimizers.Adam(learning_rate=0.1, weight_decay=0.5).apply_gradients([(np.zeros((1,), "float32"), var)])
    # decoupled: var * (1 - lr * wd) with a zero gradient; torch Adam would step by about lr on the decayed gradient
    assert np.allclose(var.numpy(), 0.95)
    assert keras.optimizers.SGD().weight_decay is None


@covers("keras.optimizers.Adam")
def test_adam_adds_epsilon_to_the_uncorrected_root_with_the_correction_in_the_step_size():
    lr, g, b1, b2, eps = 0.001, 1e-6, 0.9, 0.999, 1e-7
    var = keras.Variable(np.zeros((1,), "float64"))
    keras.optimizers.Adam().apply_gradients([(np.full((1,), g, "float64"), var)])
    m, v = (1 - b1) * g, (1 - b2) * g * g
    keras_step = lr * math.sqrt(1 - b2) / (1 - b1) * m / (math.sqrt(v) + eps)
    torch_step = lr * (m / (1 - b1)) / (math.sqrt(v / (1 - b2)) + eps)
    step = -float(var.numpy()[0])
    assert abs(step - keras_step) < 1e-3 * keras_step and abs(step - torch_step) > 0.5 * keras_step


@covers("keras.optimizers.AdamW")
def test_adamw_default_decay():
    var = keras.Variable(np.ones((1,), "float32"))
    keras.optimizers.AdamW(learning_rate=0.1).apply_gradients([(np.zeros((1,), "float32"), var)])
    assert np.allclose(var.numpy(), 1 - 0.1 * 0.004)


@covers("keras.losses.BinaryCrossentropy", "keras.losses.CategoricalCrossentropy",
        "keras.losses.SparseCategoricalCrossentropy")
def test_cross_entropies_take_probabilities_by_default():
    assert np.isclose(float(keras.losses.BinaryCrossentropy()([[1.0]], [[0.8]])), -math.log(0.8), rtol=1e-4)
    assert np.isclose(float(keras.losses.CategoricalCrossentropy()([[0.0, 1.0]], [[0.2, 0.8]])), -math.log(0.8),
                      rtol=1e-4)
    sparse = keras.losses.SparseCategoricalCrossentropy()(np.array([1]), np.array([[0.2, 0.8]], "float32"))
    assert np.isclose(float(sparse), -math.log(0.8), rtol=1e-4)


@covers("keras.losses.MeanSquaredError", "keras.losses.MeanAbsoluteError")
def test_sum_over_batch_size_is_the_mean():
    y_true, y_pred = np.zeros((2, 1), "float32"), np.array([[0.0], [2.0]], "float32")
    assert float(keras.losses.MeanSquaredError()(y_true, y_pred)) == pytest.approx(2.0)
    assert float(keras.losses.MeanAbsoluteError()(y_true, y_pred)) == pytest.approx(1.0)


@covers("keras.losses.Huber")
def test_huber_delta_one():
    loss = keras.losses.Huber()
    assert float(loss([[0.0]], [[0.5]])) == pytest.approx(0.125)
    assert float(loss([[0.0]], [[3.0]])) == pytest.approx(3.0 - 0.5)


@covers("keras.losses.KLDivergence")
def test_kl_divergence_takes_probabilities_and_sums_over_the_last_axis():
    p, q = np.array([[0.5, 0.5]], "float32"), np.array([[0.25, 0.75]], "float32")
    expected = 0.5 * math.log(0.5 / 0.25) + 0.5 * math.log(0.5 / 0.75)
    assert float(keras.losses.KLDivergence()(p, q)) == pytest.approx(expected, rel=1e-4)


@covers("keras.optimizers.schedules.CosineDecay")
def test_cosine_decay_alpha_is_a_fraction_of_the_initial_rate():
    schedule = keras.optimizers.schedules.CosineDecay(2.0, 10, alpha=0.1)
    assert float(schedule(10)) == pytest.approx(0.2)
    assert float(keras.optimizers.schedules.CosineDecay(2.0, 10)(10)) == pytest.approx(0.0, abs=1e-7)


@covers("keras.optimizers.schedules.ExponentialDecay")
def test_exponential_decay_is_continuous_by_default():
    schedule = keras.optimizers.schedules.ExponentialDecay(1.0, decay_steps=10, decay_rate=0.5)
    assert float(schedule(5)) == pytest.approx(0.5 ** 0.5, rel=1e-5)


@covers("keras.utils.timeseries_dataset_from_array")
def test_timeseries_dataset_batches_128_in_order():
    data = np.arange(300, dtype="float32")
    ds = keras.utils.timeseries_dataset_from_array(data, None, sequence_length=1)
    batches = [b.numpy() for b in ds]
    assert [len(b) for b in batches] == [128, 128, 44]
    assert np.array_equal(np.concatenate(batches).ravel(), data)  # shuffle=False keeps the order


@covers("keras.utils.text_dataset_from_directory")
def test_text_dataset_from_directory_batches_32(tmp_path: Path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        for i in range(20):
            (tmp_path / cls / f"{i}.txt").write_text(f"{cls} {i}")
    ds = keras.utils.text_dataset_from_directory(str(tmp_path), verbose=False)
    assert sorted(int(t.shape[0]) for t, _ in ds) == [8, 32]


@covers("keras.layers.GlobalMaxPooling1D", "keras.layers.GlobalMaxPooling2D", "keras.layers.GlobalMaxPooling3D")
def test_global_max_pooling_drops_the_pooled_axes():
    assert tuple(keras.layers.GlobalMaxPooling1D()(np.ones((2, 5, 3), "float32")).shape) == (2, 3)
    assert tuple(keras.layers.GlobalMaxPooling2D()(np.ones((2, 4, 4, 3), "float32")).shape) == (2, 3)
    assert tuple(keras.layers.GlobalMaxPooling3D()(np.ones((2, 2, 2, 2, 3), "float32")).shape) == (2, 3)


@covers("keras.layers.RandomTranslation")
def test_random_translation_fills_by_reflection():
    img = np.zeros((1, 1, 6, 1), "float32")
    img[0, 0, :, 0] = [1, 2, 3, 4, 5, 6]
    shifted = keras.layers.RandomTranslation(0.0, (0.5, 0.5), interpolation="nearest")(img, training=True)
    values = np.asarray(shifted).ravel()
    assert values.min() > 0  # nothing filled with zeros


def _plateau_learning_rate(val_losses) -> float:
    """Learning rate after epochs ending with these val_loss values, from learning_rate=1."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=1.0), loss="mse")
    cb = keras.callbacks.ReduceLROnPlateau()
    cb.set_model(model)
    cb.on_train_begin()
    for epoch, value in enumerate(val_losses):
        cb.on_epoch_end(epoch, {"val_loss": value})
    return float(model.optimizer.learning_rate.numpy())


@covers("keras.callbacks.ReduceLROnPlateau")
def test_reduce_lr_on_plateau_compares_absolute_improvements():
    # 2e-4 per epoch beats min_delta=1e-4 in absolute terms; a relative 1e-4 would need 1e-2 at 100
    assert _plateau_learning_rate([100 - 2e-4 * e for e in range(15)]) == pytest.approx(1.0)
    # one gain of 5e-5 does not count: patience=10 epochs later the rate drops by factor=0.1
    assert _plateau_learning_rate([100] + [100 - 5e-5] * 10) == pytest.approx(0.1)
    assert _plateau_learning_rate([100] + [100 - 2e-4] * 10) == pytest.approx(1.0)


@covers("tensorflow.data.Dataset.shuffle", "tensorflow.data.Dataset.from_tensor_slices")
def test_dataset_shuffle_reshuffles_each_iteration():
    ds = tf.data.Dataset.from_tensor_slices(np.arange(100)).shuffle(100, seed=1)
    first, second = [int(v) for v in ds], [int(v) for v in ds]
    assert sorted(first) == list(range(100)) and first != second


@covers("tensorflow.data.Dataset.batch", "tensorflow.data.Dataset.from_tensors")
def test_dataset_batch_keeps_the_last_partial_batch():
    sizes = [int(b.shape[0]) for b in tf.data.Dataset.range(10).batch(4)]
    assert sizes == [4, 4, 2]
    assert [tuple(t.shape) for t in tf.data.Dataset.from_tensors(np.arange(3))] == [(3,)]


@covers("tensorflow.image.resize")
def test_image_resize_is_bilinear_without_antialias():
    img = np.random.default_rng(0).random((1, 16, 16, 1)).astype("float32")
    out = tf.image.resize(img, (5, 5)).numpy()
    assert np.allclose(out, tf.image.resize(img, (5, 5), method="bilinear", antialias=False).numpy())
    assert not np.allclose(out, tf.image.resize(img, (5, 5), method="bilinear", antialias=True).numpy())
    assert not np.allclose(out, tf.image.resize(img, (5, 5), method="nearest").numpy())


@covers("keras.utils.image_dataset_from_directory")
def test_image_dataset_from_directory_batches_32_and_resizes_to_256(tmp_path: Path):
    for cls in ("a", "b"):
        (tmp_path / cls).mkdir()
        for i in range(20):
            png = tf.io.encode_png(np.full((8, 12, 3), i, "uint8"))
            tf.io.write_file(str(tmp_path / cls / f"{i}.png"), png)
    ds = keras.utils.image_dataset_from_directory(str(tmp_path), verbose=False)
    images, labels = next(iter(ds))
    assert tuple(images.shape) == (32, 256, 256, 3)
    assert sorted(int(b.shape[0]) for b, _ in ds) == [8, 32]


# -- the rows reach user code --------------------------------------------------------------------------------
def _found(source, **kw):
    return {(f.api, f.parameters[0][0], f.parameters[0][1]) for f in lint(source, **kw) if f.parameters}


def test_tf_keras_and_module_paths_reach_the_keras_rows():
    found = _found("import tensorflow as tf\nfrom keras.src.layers.core.dense import Dense\n"
                   "tf.keras.layers.LeakyReLU()\nDense(3)\n")
    assert ("keras.layers.LeakyReLU", "negative_slope", "0.3") in found
    assert ("keras.layers.Dense", "kernel_initializer", "'glorot_uniform'") in found


def test_fit_on_a_sequential_model_and_dataset_chains_reach_the_method_rows():
    found = _found("import keras\nimport tensorflow as tf\nmodel = keras.Sequential([])\nmodel.fit(x, y)\n"
                   "ds = tf.data.Dataset.from_tensor_slices(x).shuffle(8).batch(4)\n")
    assert ("keras.Model.fit", "batch_size", "32") in found
    assert ("tensorflow.data.Dataset.batch", "drop_remainder", "False") in found
    assert ("tensorflow.data.Dataset.shuffle", "reshuffle_each_iteration", "True") in found


def test_keras_2_releases_see_the_changed_defaults():
    found = lint("import keras\nkeras.optimizers.Lion()\nkeras.losses.Huber()\n", select=("DL902",),
                 target={"keras": ">=2.12,<4"})
    assert sorted((f.api, f.parameters[0][0]) for f in found) == [
        ("keras.losses.Huber", "reduction"), ("keras.optimizers.Lion", "learning_rate")]


def test_behaviour_checks_name_table_rows():
    assert BEHAVIOUR <= set(ROWS), BEHAVIOUR - set(ROWS)


@pytest.fixture(scope="module", autouse=True)
def _summary(verification_summary):
    yield
    changes = sum(len(a.changes) for a in ROWS.values())
    verification_summary.append(
        f"verified {len(ROWS)} keras/tensorflow rows: {len(ROWS)} by signature, {len(BEHAVIOUR)} by "
        f"instantiation/behaviour, {changes} changes with sources, against keras {keras.__version__}")


def test_tablegen_check_finds_nothing_to_update():
    """`python -m defaultlint.tools.tablegen --check` (how a new release is compared) agrees with every row."""
    from defaultlint.tools import tablegen

    assert {name: problems for name, api in ROWS.items() if (problems := tablegen.compare(api))} == {}
