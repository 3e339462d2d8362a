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
    assert adam.fix.applicability == "display-only"
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
