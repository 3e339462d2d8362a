"""String identifiers (`compile(optimizer="adam")`) hide the defaults of the object they stand for: each is
reported at the string, with the explicit spelling to write instead."""

from __future__ import annotations

from conftest import lint

SRC = ("import keras\nm = keras.Sequential([keras.layers.Dense(3, activation='gelu')])\n"
       "m.compile(optimizer='adam', loss='sparse_categorical_crossentropy', metrics=['accuracy'])\n")


def at_strings(source: str, **kw):
    return [f for f in lint(source, **kw) if f.api and f.api.split(".")[1] in ("optimizers", "losses", "activations")]


def test_optimizer_and_loss_strings_report_their_objects_defaults_at_the_string():
    found = at_strings(SRC, select=("DL302", "DL501", "DL504"))
    assert [(f.location.row, f.location.column, f.code, f.api) for f in found] == [
        (2, 56, "DL504", "keras.activations.gelu"),
        (3, 21, "DL302", "keras.optimizers.Adam"),
        (3, 34, "DL501", "keras.losses.SparseCategoricalCrossentropy"),
    ]
    adam = found[1]
    assert adam.message.startswith("optimizer='adam' stands for keras.optimizers.Adam: `epsilon` is implicit "
                                   "(1e-07 in Keras 3.15.1); PyTorch Adam uses eps=1e-08")
    assert adam.fix.applicability == "safe"  # the file imports keras: the constructor can be written
    assert "optimizer=keras.optimizers.Adam(learning_rate=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-07" \
        in adam.fix.message


def test_a_function_identifier_suggests_a_function():
    gelu = at_strings(SRC, select=("DL504",))[0]
    assert gelu.fix.message == ("Write activation=lambda x: keras.activations.gelu(x, approximate=False) "
                                "to make its values explicit.")


def test_unknown_strings_and_other_parameters_are_left_alone():
    src = ("import keras\nm = keras.Sequential([])\n"
           "m.compile(optimizer='my_custom', loss='sparse_categorical_crossentropy', metrics=['adam'])\n")
    assert {f.api for f in at_strings(src)} == {"keras.losses.SparseCategoricalCrossentropy"}


def test_noqa_on_the_line_silences_them():
    src = SRC.replace("metrics=['accuracy'])", "metrics=['accuracy'])  # noqa: DL302")
    assert not [f for f in at_strings(src, select=("DL302",))]


def test_manifest_lists_the_objects_strings_stand_for():
    from pathlib import Path

    from defaultlint.audit.manifest import entries_for_text
    from defaultlint.core.checker import Rules
    from defaultlint.project.tables import load_table

    table = load_table()
    entries = entries_for_text(SRC, "m.py", table, Rules(frozenset(table.codes)))
    loss = next(e for e in entries if e.api == "keras.losses.SparseCategoricalCrossentropy")
    assert (loss.line, loss.column, loss.callee) == (3, 34, "'sparse_categorical_crossentropy'")
    assert loss.get("from_logits").value == "False" and loss.get("from_logits").source == "implicit"
    assert any(e.api == "keras.optimizers.Adam" for e in entries)


def test_the_fix_writes_the_constructor_with_the_files_own_import():
    from pathlib import Path

    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    src = ('import tensorflow as tf\nm = tf.keras.Sequential([])\n'
           'm.compile(optimizer="sgd", loss="mse")  # trained below\n')
    linter = Linter(Settings(root=Path("."), select=["DL301", "DL305", "DL502"]))
    safe, _, _ = linter.fix_text(src, "t.py")
    assert safe == ('import tensorflow as tf\nm = tf.keras.Sequential([])\n'
                    'm.compile(optimizer=tf.keras.optimizers.SGD(learning_rate=0.01, momentum=0.0, nesterov=False, '
                    'weight_decay=None, clipnorm=None, clipvalue=None, global_clipnorm=None, use_ema=False, '
                    'ema_momentum=0.99, ema_overwrite_frequency=None, loss_scale_factor=None, '
                    'gradient_accumulation_steps=None), loss="mse")  # trained below\n')
    unsafe, _, _ = linter.fix_text(src, "t.py", unsafe=True)
    assert unsafe.endswith("loss=tf.keras.losses.MeanSquaredError(reduction='sum_over_batch_size'))  # trained below\n")
    assert linter.fix_text(unsafe, "t.py", unsafe=True)[1] == 0  # a second fix changes nothing


def test_no_import_to_spell_it_means_no_fix():
    src = "from keras import Sequential\nm = Sequential([])\nm.compile(optimizer='adam')\n"
    found = at_strings(src, select=("DL302",))
    assert found and found[0].fix.applicability == "display-only"


def test_an_older_keras_target_makes_the_replacement_unsafe():
    src = "import keras\nm = keras.Sequential([])\nm.compile(optimizer='adam')\n"
    (f,) = at_strings(src, select=("DL302",), target={"keras": ">=2.15,<4"})
    assert f.fix.applicability == "unsafe"


def test_keras_getters_report_the_object_their_string_names():
    src = ("import keras\nopt = keras.optimizers.get('rmsprop')\nact = keras.activations.get('gelu')\n"
           "init = keras.initializers.get('truncated_normal')\nother = keras.optimizers.get(opt)\n")
    found = [(f.location.row, f.code, f.api) for f in lint(src, select=("DL302", "DL504", "DL809"))]
    assert found == [(2, "DL302", "keras.optimizers.RMSprop"), (3, "DL504", "keras.activations.gelu"),
                     (4, "DL809", "keras.initializers.TruncatedNormal"),
                     (4, "DL809", "keras.initializers.TruncatedNormal")]
    # a getter's parameter is no identifier parameter of any other call
    assert lint("import keras\nkeras.layers.Dense(2, identifier='adam')\n", select=("DL302",)) == []


def test_initializer_strings_are_replaced_by_their_constructor():
    from pathlib import Path

    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    src = "from tensorflow import keras\nd = keras.layers.Dense(3, kernel_initializer='random_uniform')\n"
    fixed, _, _ = Linter(Settings(root=Path("."), select=["DL651"])).fix_text(src, "t.py")
    assert fixed == ("from tensorflow import keras\n"
                     "d = keras.layers.Dense(3, kernel_initializer=keras.initializers.RandomUniform(minval=-0.05, "
                     "maxval=0.05))\n")


def test_a_getters_string_is_replaced_by_the_constructor():
    from pathlib import Path

    from defaultlint.api import Linter
    from defaultlint.project.config import Settings

    src = "import keras\ninit = keras.initializers.get('random_uniform')\n"
    fixed, applied, _ = Linter(Settings(root=Path("."), select=["DL651"])).fix_text(src, "t.py")
    assert fixed == ("import keras\n"
                     "init = keras.initializers.get(keras.initializers.RandomUniform(minval=-0.05, maxval=0.05))\n")
