"""Port traps of the input pipeline and the loss: Keras `preprocess_input` modes against torchvision Normalize,
and class-weighted loss reduction (rules/ports.toml); each with its exact fix text."""

import textwrap

from defaultlint.audit.accept import PortFile
from defaultlint.audit.compare import compare_entries, load_side, to_markdown
from defaultlint.audit.normalise import evaluate
from defaultlint.core.checker import Rules
from defaultlint.project.tables import load_table


def run(a: str, b: str, tmp_path, port: PortFile | None = None):
    table = load_table()
    rules = Rules(frozenset())
    pa, pb = tmp_path / "a.py", tmp_path / "b.py"
    pa.write_text(textwrap.dedent(a))
    pb.write_text(textwrap.dedent(b))
    sa, sb = load_side(pa, table, rules), load_side(pb, table, rules)
    return compare_entries(sa.entries, sb.entries, table, "a.py", "b.py", sa, sb, port)


def traps(c) -> list[tuple[str, str, str]]:
    return [(d.trap, d.fix, d.grade) for d in c.divergences if d.trap]


CAFFE = """
import keras
from keras.applications.resnet50 import ResNet50, preprocess_input

ds = ds.map(lambda x, y: (preprocess_input(x), y))
model = ResNet50(weights=None)
"""
IMAGENET = """
import torchvision.transforms as T

MEAN = [0.485, 0.456, 0.406]
transform = T.Compose([T.ToTensor(), T.Normalize(MEAN, std=[0.229, 0.224, 0.225])])
"""


def test_caffe_mode_against_imagenet_normalize_reverses_channels_and_subtracts_the_bgr_mean(tmp_path):
    c = run(CAFFE, IMAGENET, tmp_path)
    assert traps(c) == [("input_normalisation",
                         "reverse the channels (x.flip(-3): RGB to BGR), then torchvision.transforms.Normalize("
                         "mean=[0.4076039216, 0.4579568627, 0.4850196078], "
                         "std=[0.003921568627, 0.003921568627, 0.003921568627])", "exact")]
    d = c.divergences[0]
    assert d.a_value == "mode 'caffe': BGR, offset [123.68, 116.779, 103.939], scale [1.0, 1.0, 1.0]"
    assert d.b_value == "RGB, offset [123.675, 116.28, 103.53], scale [58.395, 57.12, 57.375]"
    assert (d.a_where, d.b_where) == (f"{tmp_path}/a.py:5", f"{tmp_path}/b.py:5")
    assert c.unpaired == []  # Normalize (a table row without counterpart) is paired as a normalisation


def test_torch_normalize_to_keras_names_the_mode(tmp_path):
    c = run(IMAGENET, CAFFE, tmp_path)
    assert traps(c) == [("input_normalisation", "keras.applications.imagenet_utils.preprocess_input(x, mode='torch')",
                         "exact")]


def test_tf_mode_and_rescaling_to_minus_one_one_agree_with_normalize_one_half(tmp_path):
    half = "import torchvision\nt = torchvision.transforms.Normalize([0.5] * 3, [0.5, 0.5, 0.5])\n"
    for keras_src in ("import keras\ny = keras.applications.mobilenet_v2.preprocess_input(x)\n",
                      "import keras\nr = keras.layers.Rescaling(1 / 127.5, offset=-1)\n",
                      "import keras\ny = keras.applications.imagenet_utils.preprocess_input(x, mode='tf')\n"):
        c = run(keras_src, half, tmp_path)
        assert c.divergences == [] and not c.unknowns, keras_src
        assert [p.kind for p in c.pairs] == ["input normalisation"]
    c = run(half, "import keras\ny = keras.applications.densenet.preprocess_input(x)\n", tmp_path)
    assert traps(c) == [("input_normalisation", "keras.applications.imagenet_utils.preprocess_input(x, mode='tf')",
                         "exact")]


def test_imagenet_utils_default_mode_is_caffe_and_a_function_passed_as_value_counts(tmp_path):
    c = run("import keras\nfrom keras.applications import imagenet_utils\n"
            "gen = ImageDataGenerator(preprocessing_function=keras.applications.vgg16.preprocess_input)\n",
            "import keras\ny = keras.applications.imagenet_utils.preprocess_input(x)\n", tmp_path)
    assert c.divergences == [] and len(c.pairs) == 1


def test_keras_normalization_layer_to_torch(tmp_path):
    c = run("import keras\nn = keras.layers.Normalization(mean=[127.5, 127.5, 127.5], variance=[4225.0] * 3)\n",
            IMAGENET, tmp_path)
    assert traps(c) == [("input_normalisation", "torchvision.transforms.Normalize(mean=[0.5, 0.5, 0.5], "
                         "std=[0.2549019608, 0.2549019608, 0.2549019608])", "exact")]


def test_unreadable_normalisation_is_could_not_compare(tmp_path):
    c = run(CAFFE, "import torchvision\nt = torchvision.transforms.Normalize(cfg.mean, cfg.std)\n", tmp_path)
    assert c.divergences == []
    assert [(u.a_param, u.b_value) for _, u in c.unknowns] == [("normalisation", "not readable (mean)")]


def test_normalisation_on_one_side_only_is_without_partner_and_accepting_it_by_name(tmp_path):
    c = run(CAFFE, "import torch\n", tmp_path)
    assert [(p.a.api, p.b) for p in c.unpaired] == [("keras.applications.resnet50.preprocess_input", None)]
    port = PortFile.parse('[[accept]]\nparam = "input_normalisation"\nreason = "the loader normalises"\n')
    c = run(CAFFE, IMAGENET, tmp_path, port)
    assert c.divergences == [] and [d.accepted for d in c.accepted] == ["the loader normalises"]
    assert "- input normalisation `port trap input_normalisation` (1): the loader normalises" in to_markdown(c)


def test_normalisation_arithmetic_reads_nothing_but_numbers():
    assert evaluate("-offset / scale", {"offset": -1.0, "scale": 1 / 127.5}) == 127.5
    assert evaluate("variance ** 0.5", {"variance": (4.0, 9.0)}) == (2.0, 3.0)
    assert evaluate("__import__('os')", {}) is None and evaluate("x.y", {}) is None and evaluate("1 / 0", {}) is None


WEIGHTED_TORCH = """
import torch
class_weights = torch.tensor([1.0, 2.0, 0.5])
criterion = torch.nn.CrossEntropyLoss(weight=class_weights)
"""
KERAS_LOSS = "import keras\nloss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)\n"


def test_class_weighted_torch_mean_divides_by_the_weights_keras_by_the_batch(tmp_path):
    c = run(KERAS_LOSS, WEIGHTED_TORCH, tmp_path)
    assert traps(c) == [("weighted_loss_reduction",
                         "reduction='sum' and divide by the batch size: loss = criterion(logits, y) / y.shape[0] "
                         "(with the class weights given to Keras as class_weight or sample weights)", "exact")]
    c = run(WEIGHTED_TORCH, KERAS_LOSS, tmp_path)
    assert traps(c) == [("weighted_loss_reduction",
                         "reduction='mean_with_sample_weight', with the class weights given as sample weights "
                         "(Model.fit(class_weight=...) or sample_weight=w[y])", "exact")]


def test_no_weighted_reduction_trap_without_weights_or_with_a_sum(tmp_path):
    assert traps(run(KERAS_LOSS, "import torch\ncriterion = torch.nn.CrossEntropyLoss()\n", tmp_path)) == []
    assert traps(run(KERAS_LOSS, "import torch\nc = torch.nn.CrossEntropyLoss(weight=w, reduction='sum')\n",
                     tmp_path)) == []
