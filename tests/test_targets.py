"""Target versions detected from a project's own files, and version ranges."""

import pytest

from defaultlint.project.tables import load_table
from defaultlint.project.targets import detect_targets as detect_distributions, parse_requirement


def detect_targets(start):
    return load_table().targets_from(detect_distributions(start))


def keras_from_tensorflow(spec):
    return load_table().implied_targets("tensorflow", spec)["keras"]


@pytest.mark.parametrize("line,expected", [
    ("torch>=2.1,<2.7", ("torch", ">=2.1,<2.7")),
    ("tensorflow-cpu == 2.15.0 ; python_version < '3.12'", ("tensorflow-cpu", "== 2.15.0")),
    ("keras[backends]>=3.0", ("keras", ">=3.0")),
    ("Torch", ("torch", "")),
    ("# comment", None),
    ("-r base.txt", None),
])
def test_requirement_lines(line, expected):
    assert parse_requirement(line) == expected


def test_pyproject_dependencies_and_extras(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[project]\nname='m'\nversion='1'\ndependencies=['numpy']\n"
        "[project.optional-dependencies]\ntrain=['torch>=2.2,<2.8', 'tensorflow>=2.16']\n")
    assert detect_targets(tmp_path / "src" / "m.py") == {"torch": ">=2.2,<2.8", "tensorflow": ">=2.16",
                                                          "keras": ">=3,<4"}


def test_requirements_and_lock_files(tmp_path):
    (tmp_path / "requirements.txt").write_text("torch==2.4.1\n")
    (tmp_path / "uv.lock").write_text('version = 1\n[[package]]\nname = "keras"\nversion = "3.6.0"\n'
                                      '[[package]]\nname = "torch"\nversion = "2.4.1"\n')
    assert detect_targets(tmp_path) == {"torch": "==2.4.1", "keras": "==3.6.0"}


def test_poetry_dependencies(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.poetry.dependencies]\npython='^3.10'\ntorch={version='^2.1'}\n")
    assert detect_targets(tmp_path) == {"torch": "^2.1"}


def test_tf_keras_is_keras_2_before_tensorflow_2_16():
    assert keras_from_tensorflow("<2.16") == ">=2,<3"
    assert keras_from_tensorflow(">=2.16") == ">=3,<4"
    assert keras_from_tensorflow(">=2.10") == ">=2,<4"


def test_an_explicit_tensorflow_target_implies_its_keras():
    from conftest import lint

    src = "import tensorflow as tf\nloss = tf.keras.losses.MeanSquaredError()\n"
    (keras2,) = lint(src, select=("DL502",), target={"tensorflow": "2.15"})
    assert "('auto' in Keras >=2,<3)" in keras2.message
    (keras3,) = lint(src, select=("DL502",), target={"tensorflow": "2.17"})
    assert "'sum_over_batch_size'" in keras3.message
    (pinned,) = lint(src, select=("DL502",), target={"tensorflow": "2.15", "keras": "3.15"})
    assert "'sum_over_batch_size'" in pinned.message  # an explicit Keras target wins


def test_a_module_importing_tf_keras_is_checked_as_keras_2():
    from conftest import lint

    (f,) = lint("import tf_keras as keras\nloss = keras.losses.MeanSquaredError()\n", select=("DL502",))
    assert "('auto' in Keras >=2,<3)" in f.message and f.api == "keras.losses.MeanSquaredError"
    (g,) = lint("import keras\nloss = keras.losses.MeanSquaredError()\n", select=("DL502",))
    assert "'sum_over_batch_size'" in g.message
