"""Program-level defaults (rules/program.toml, core/program.py): which modules are programs, which settings
count, where the finding is, and the exact text the fix inserts."""

from __future__ import annotations

import copy
import textwrap

import pytest

from conftest import ROOT, lint
from defaultlint.api import Linter
from defaultlint.core import fixer
from defaultlint.core.ftypes import Applicability
from defaultlint.core.table import Table, TableError
from defaultlint.project.config import Settings
from defaultlint.project.tables import read_documents, rules_dir

PROGRAM = ("DL010", "DL011", "DL012", "DL020", "DL021", "DL022", "DL023", "DL030", "DL031", "DL032", "DL033",
           "DL040")


def codes(source, select=PROGRAM, **kw):
    return sorted(f.code for f in lint(source, select=select, **kw))


def fix(source, select=PROGRAM, unsafe=False, target=None):
    settings = Settings(root=ROOT, select=list(select), target_version=dict(target or {}))
    linter = Linter(settings)
    new, _, _ = linter.fix_text(textwrap.dedent(source), "t.py", unsafe=unsafe)
    again, applied, _ = linter.fix_text(new, "t.py", unsafe=unsafe)
    assert (again, applied) == (new, 0)  # a second fix changes nothing
    return new


TRAIN = """
import torch

model = torch.nn.Linear(4, 2)
opt = torch.optim.SGD(model.parameters(), lr=0.1)
loss = model(torch.ones(1, 4)).sum()
loss.backward()
opt.step()
"""


# -- what a program is ------------------------------------------------------------------------------------
def test_a_training_script_is_a_program_and_reports_every_torch_flag_it_leaves_unset():
    assert codes(TRAIN) == ["DL010", "DL011", "DL020", "DL021", "DL022", "DL030"]


def test_a_main_guard_makes_a_program():
    assert codes("import torch\nif __name__ == '__main__':\n    pass\n", select=["DL030"]) == ["DL030"]
    assert codes("import torch\nif '__main__' == __name__:\n    pass\n", select=["DL030"]) == ["DL030"]


def test_a_library_module_is_no_program():
    source = """
    import torch

    def train_one_epoch(model, opt, batch):
        model(batch).sum().backward()
        opt.step()
    """
    assert codes(source) == []  # the training function never runs when the module is executed


def test_the_training_call_counts_when_a_function_the_module_runs_makes_it():
    source = """
    import torch

    def train(model, opt):
        opt.step()

    opt = torch.optim.SGD([], lr=0.1)
    train(None, opt)
    """
    assert codes(source, select=["DL030"]) == []  # `opt` in train() is a parameter: unknown receiver
    source = """
    import keras

    class Net(keras.Model):
        pass

    def main():
        model = Net()
        model.fit(x, y)

    main()
    """
    assert codes(source, select=["DL040"]) == ["DL040"]


def test_a_method_of_an_unrelated_object_named_like_an_entry_does_not_make_a_program():
    source = """
    import torch
    import sklearn.linear_model

    clf = sklearn.linear_model.LogisticRegression()
    clf.fit(x, y)
    """
    assert codes(source) == []


def test_flags_of_a_framework_the_program_does_not_import_are_not_reported():
    assert codes("import tensorflow as tf\nif __name__ == '__main__':\n    pass\n") == ["DL012", "DL023", "DL031",
                                                                                       "DL040"]
    assert "DL033" not in codes(TRAIN) and "DL032" not in codes(TRAIN)


# -- which settings count ---------------------------------------------------------------------------------
def test_flags_set_at_module_level_are_not_reported():
    source = """
    import torch
    from torch.backends import cudnn

    torch.backends.cuda.matmul.allow_tf32 = True
    cudnn.allow_tf32 = False
    cudnn.benchmark = True
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(1)

    if __name__ == "__main__":
        pass
    """
    assert codes(source) == []  # use_deterministic_algorithms counts for cudnn.deterministic as well


def test_set_float32_matmul_precision_sets_matmul_tf32():
    source = "import torch\ntorch.set_float32_matmul_precision('high')\nif __name__ == '__main__':\n    pass\n"
    assert codes(source, select=["DL010"]) == []


def test_a_flag_set_through_the_environment_counts():
    for setting in ('os.environ["TF_DETERMINISTIC_OPS"] = "1"', 'os.environ.setdefault("TF_DETERMINISTIC_OPS", "1")',
                    'os.putenv("TF_DETERMINISTIC_OPS", "1")', 'os.environ.update({"TF_DETERMINISTIC_OPS": "1"})',
                    'os.environ.update(TF_DETERMINISTIC_OPS="1")'):
        source = f"import os\nimport tensorflow as tf\n{setting}\nif __name__ == '__main__':\n    pass\n"
        assert codes(source, select=["DL023"]) == [], setting
    source = "from os import environ\nimport tensorflow as tf\nenviron['TF_DETERMINISTIC_OPS'] = '1'\nm = tf.keras.Model()\n" \
             "m.fit(x)\n"
    assert codes(source, select=["DL023"]) == []
    assert codes(source.replace("environ[", "other["), select=["DL023"]) == ["DL023"]
    source = "import os\nimport tensorflow as tf\nos.environ['OTHER'] = '1'\nif __name__ == '__main__':\n    pass\n"
    assert codes(source, select=["DL023"]) == ["DL023"]


def test_a_setting_only_in_a_function_never_called_does_not_count():
    source = """
    import torch

    def seed_everything():
        torch.manual_seed(0)

    if __name__ == "__main__":
        pass
    """
    assert codes(source, select=["DL030"]) == ["DL030"]


def test_a_setting_in_a_function_the_program_runs_counts_transitively():
    source = """
    import torch

    def seed_everything(seed):
        torch.manual_seed(seed)

    def main():
        seed_everything(0)

    if __name__ == "__main__":
        main()
    """
    assert codes(source, select=["DL030"]) == []


def test_a_function_handed_to_a_runner_counts_as_run():
    source = """
    import torch
    from absl import app

    def main(argv):
        torch.manual_seed(0)

    if __name__ == "__main__":
        app.run(main)
    """
    assert codes(source, select=["DL030"]) == []


def test_a_library_that_seeds_everything_counts():
    source = "import random\nimport numpy as np\nimport torch\nimport lightning as L\nL.seed_everything(3)\n" \
             "if __name__ == '__main__':\n    pass\n"
    assert codes(source, select=["DL030", "DL032", "DL033"]) == []


# -- the finding ------------------------------------------------------------------------------------------
def test_the_finding_is_on_the_main_guard_and_says_what_each_framework_does():
    source = "import torch\n\nx = 1\nif __name__ == '__main__':\n    pass\n"
    [f] = lint(source, select=["DL010"])
    assert (f.location.row, f.location.column, f.end_location) == (4, 1, (4, 26))
    assert f.message == (
        "The program leaves TF32 in float32 matrix multiplies on CUDA implicit: `allow_tf32 = False` in PyTorch "
        "2.13; that is off: full FP32, precision 'highest'; True before 1.12; TensorFlow: TF32 in float32 matrix "
        "multiplies and convolutions, `tensor_float_32_execution_enabled() = True` (on: TF32 on Ampere and newer "
        "GPUs). `torch.set_float32_matmul_precision('highest')` is the same setting ('high' and 'medium' allow "
        "TF32).")
    assert f.fix.applicability is Applicability.SAFE


def test_without_a_guard_the_finding_is_on_the_first_statement_after_the_imports():
    [f] = lint(TRAIN, select=["DL030"])
    assert (f.location.row, f.end_location) == (4, (4, 30))
    assert f.message == ("The program never seeds torch's random generator: a new seed each run; TensorFlow: "
                         "TensorFlow's global random generator (a new seed each run).")
    assert f.fix.applicability is Applicability.UNSAFE


def test_noqa_on_the_reported_line_and_ignore_apply():
    source = "import torch\nif __name__ == '__main__':  # noqa: DL030\n    pass\n"
    assert codes(source, select=["DL030", "DL010"]) == ["DL010"]
    settings = Settings(root=ROOT, select=["DL0"], ignore=["DL01", "DL02"])
    assert sorted(f.code for f in Linter(settings).lint_text(TRAIN, "t.py")) == ["DL030"]


def test_the_default_selection_holds_the_flags_that_differ_between_frameworks_and_the_seeds():
    settings = Settings(root=ROOT)
    assert sorted(f.code for f in Linter(settings).lint_text(TRAIN, "t.py") if f.code.startswith("DL0")) == [
        "DL010", "DL030"]


def test_the_value_follows_the_targeted_release():
    [f] = lint(TRAIN, select=["DL010"], target={"torch": "==1.11"})
    assert "`allow_tf32 = True` in PyTorch 1.11" in f.message and f.fix.applicability is Applicability.SAFE
    [f] = lint(TRAIN, select=["DL010"], target={"torch": ">=1.10"})
    assert "it changes within the targeted releases: True below 1.12, False from 1.12" in f.message
    assert f.fix.applicability is Applicability.UNSAFE
    [f] = lint(TRAIN, select=["DL020"], target={"torch": ">=1.6"})
    assert f.fix.applicability is Applicability.UNSAFE and "releases before PyTorch 1.8 lack it" in f.fix.message


def test_tensorflow_op_determinism_has_no_statement_for_its_default():
    [f] = lint("import tensorflow as tf\nm = tf.keras.Sequential()\nm.fit(x)\n", select=["DL023"])
    assert f.fix.applicability is Applicability.DISPLAY_ONLY and "enable_op_determinism()" in f.fix.message


# -- the fix ----------------------------------------------------------------------------------------------
def test_the_fix_inserts_every_setting_in_one_block_after_the_imports():
    source = '''\
    """Train."""
    import numpy as np
    import tensorflow as tf  # the framework
    x = 1


    def main():
        model.fit(x)


    if __name__ == "__main__":
        main()
    '''
    assert fix(source, unsafe=True) == textwrap.dedent('''\
    """Train."""
    import numpy as np
    import tensorflow as tf  # the framework

    tf.config.experimental.enable_tensor_float_32_execution(True)
    tf.random.set_seed(0)
    np.random.seed(0)
    tf.keras.mixed_precision.set_global_policy('float32')

    x = 1


    def main():
        model.fit(x)


    if __name__ == "__main__":
        main()
    ''')
    assert fix(source) == textwrap.dedent('''\
    """Train."""
    import numpy as np
    import tensorflow as tf  # the framework

    tf.config.experimental.enable_tensor_float_32_execution(True)
    tf.keras.mixed_precision.set_global_policy('float32')

    x = 1


    def main():
        model.fit(x)


    if __name__ == "__main__":
        main()
    ''')


def test_the_fix_imports_the_root_when_no_import_reaches_the_flag():
    source = "import torch.nn as nn\n\nif __name__ == '__main__':\n    pass\n"
    assert fix(source, select=["DL010", "DL021"]) == (
        "import torch.nn as nn\n\nimport torch\ntorch.backends.cuda.matmul.allow_tf32 = False\n"
        "torch.backends.cudnn.benchmark = False\n\nif __name__ == '__main__':\n    pass\n")


def test_the_fix_keeps_the_line_endings_and_a_file_without_a_final_newline():
    source = "import torch\r\nif __name__ == '__main__':\r\n    pass\r\n"
    assert fix(source, select=["DL021"]) == ("import torch\r\n\r\ntorch.backends.cudnn.benchmark = False\r\n\r\n"
                                             "if __name__ == '__main__':\r\n    pass\r\n")
    assert fix("import torch\nx = 1\nloss.backward()", select=["DL021"]) == (
        "import torch\n\ntorch.backends.cudnn.benchmark = False\n\nx = 1\nloss.backward()")


def test_the_fix_writes_the_value_of_the_targeted_release():
    assert "torch.backends.cuda.matmul.allow_tf32 = True\n" in fix(TRAIN, select=["DL010"], target={"torch": "==1.11"})
    assert fix(TRAIN, select=["DL010"], target={"torch": ">=1.10"}) == textwrap.dedent(TRAIN)  # unsafe: spans 1.12


def test_the_fix_and_keyword_fixes_apply_in_the_same_pass():
    source = "import torch\nfrom torch.utils.data import DataLoader\nloader = DataLoader(ds)\nloss.backward()\n"
    assert fix(source, select=["DL601", "DL021"]) == (
        "import torch\nfrom torch.utils.data import DataLoader\n\ntorch.backends.cudnn.benchmark = False\n\n"
        "loader = DataLoader(ds, batch_size=1)\nloss.backward()\n")


def test_the_guard_accepts_only_inserted_setting_statements():
    old = "import torch\nx = 1\n"
    assert fixer.keywords_only(old, "import torch\ntorch.a.b = False\nx = 1\n", statements=True)
    assert fixer.keywords_only(old, "import torch\nimport os\ntorch.seed(0)\nx = 1\n", statements=True)
    assert not fixer.keywords_only(old, "import torch\ntorch.a.b = False\nx = 1\n")  # not asked for
    assert not fixer.keywords_only(old, "import torch\ny = 2\nx = 1\n", statements=True)
    assert not fixer.keywords_only(old, "import torch\ntorch.a.b = f()\nx = 1\n", statements=True)
    assert not fixer.keywords_only(old, "import torch\nimport os as o\nx = 1\n", statements=True)
    assert not fixer.keywords_only(old, "import torch\ntorch.a = 1\nx = 2\n", statements=True)


# -- the table --------------------------------------------------------------------------------------------
def _documents():
    return copy.deepcopy(read_documents(rules_dir()))


@pytest.mark.parametrize("change, error", [
    (lambda f: f.update(code="DL999"), "unknown code DL999"),
    (lambda f: f.update(shown_unset="x"), "either a value or shown_unset"),
    (lambda f: f.update(fix="x = {value}"), "is not one assignment to a dotted name"),
    (lambda f: f.update(counterpart="nothing"), "counterpart nothing is no flag"),
    (lambda f: f["set"].append({"assign": "a.b", "call": "a.c"}), "exactly one of assign, call, env"),
    (lambda f: f["change"][0].update(after="True"), "the last change says True"),
    (lambda f: f.update(colour="red"), "colour"),
])
def test_malformed_flags_are_table_errors(change, error):
    docs = _documents()
    flag = next(f for f in docs["program.toml"]["flag"] if f["name"] == "torch-matmul-tf32")
    change(flag)
    with pytest.raises(TableError, match=error):
        Table.from_documents(docs)


def test_every_flag_code_is_documented_and_kept_apart_from_call_parameters():
    docs = _documents()
    table = Table.from_documents(docs)
    for flag in table.program.flags:
        code = table.codes[flag.code]
        assert code.params == () and code.examples, flag.name
