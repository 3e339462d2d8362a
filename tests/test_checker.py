"""Binding of arguments to the table's signatures, and what a finding carries."""

from conftest import lint


def params(source, **kw):
    return sorted((f.code, f.parameters[0][0]) for f in lint(source, **kw) if f.parameters and f.code != "DL901")


def names(source, **kw):
    return sorted(f.parameters[0][0] for f in lint(source, **kw) if f.parameters and f.code != "DL901")


BN = "import torch.nn as nn\n"


def test_positional_arguments_bind_in_signature_order():
    # num_features, eps, momentum are given positionally: only the rest is implicit
    assert names(BN + "nn.BatchNorm2d(64, 1e-3, 0.01)") == ["affine", "bias", "track_running_stats"]


def test_keywords_bind_by_name():
    # affine=False: there is no bias for `bias` to add, so it is not reported
    assert names(BN + "nn.BatchNorm2d(64, momentum=0.01, eps=1e-3, affine=False)") == ["track_running_stats"]


def test_non_hyperparameters_are_never_reported():
    found = names(BN + "nn.Linear(2, 3)")
    assert "device" not in found and "dtype" not in found
    assert found == ["bias"]


def test_star_args_hide_every_positional_parameter_they_could_supply():
    # *args could supply eps, momentum, affine, track_running_stats; `bias` is keyword-only
    assert names(BN + "nn.BatchNorm2d(*args)") == ["bias"]


def test_double_star_kwargs_hide_every_keyword_parameter():
    assert names(BN + "nn.BatchNorm2d(64, **cfg)") == []


def test_partial_keywords_count_as_explicit_and_the_rest_is_reported_at_the_partial():
    src = BN + "import functools\nnorm = functools.partial(nn.BatchNorm2d, eps=1e-3)\n"
    found = lint(src)
    assert sorted(f.parameters[0][0] for f in found) == ["affine", "bias", "momentum", "track_running_stats"]
    assert {f.location.row for f in found} == {3}


def test_partial_positional_arguments_bind_after_the_callable():
    assert names(BN + "from functools import partial\npartial(nn.BatchNorm2d, 64, 1e-3)") == [
        "affine", "bias", "momentum", "track_running_stats"]


def test_default_selection_reports_only_high_impact_codes():
    found = params(BN + "nn.BatchNorm2d(64)", select=())
    assert found == [("DL201", "momentum")]  # eps (DL202) differs only between frameworks: the port preset


def test_finding_carries_location_api_value_and_counterpart():
    (f,) = [f for f in lint(BN + "\nx = nn.BatchNorm2d(64, eps=1e-3)", select=("DL201",))]
    assert (f.location.row, f.location.column) == (3, 5)
    assert (f.end_location.row, f.end_location.column) == (3, 33)
    assert f.api == "torch.nn.BatchNorm2d"
    assert f.parameters == [("momentum", "0.1")]
    assert "0.1 in PyTorch 2.13" in f.message
    assert "Keras BatchNormalization uses momentum=0.99" in f.message
    assert "momentum=0.01" in f.message  # the converted value


def test_keras_counterpart_is_reported_for_torch_epsilon():
    (f,) = lint("import keras\nkeras.layers.BatchNormalization()", select=("DL202",))
    assert f.parameters == [("epsilon", "0.001")]
    assert "PyTorch BatchNorm2d uses eps=1e-05" in f.message


def test_torch_weight_init_is_display_only():
    found = lint(BN + "nn.Linear(2, 3)", select=("DL101", "DL102"))
    assert [f.code for f in found] == ["DL101", "DL102"]
    assert all(f.fix.applicability == "display-only" and not f.fix.edits for f in found)
    assert "kaiming_uniform_" in found[0].fix.message


def test_torch_weight_init_is_not_reported_when_the_module_initialises_that_weight():
    src = BN + "fc = nn.Linear(2, 3)\nnn.init.xavier_uniform_(fc.weight)\n"
    assert [f.code for f in lint(src, select=("DL101", "DL102"))] == ["DL102"]  # the bias is still implicit


def test_runtime_resolved_default_has_an_unsafe_fix():
    (f,) = lint("import keras\nkeras.layers.Conv2D(8, 3)", select=("DL401",))
    assert f.fix.applicability == "unsafe"
    assert f.parameters == [("data_format", "'channels_last'")]
    assert "image_data_format" in f.message


def test_class_passed_as_value_is_reported_under_its_own_code():
    src = BN + "def block(norm_layer=nn.BatchNorm2d, act=nn.GELU):\n    pass\nmake(norm=nn.BatchNorm2d)\nd = {'bn': nn.BatchNorm2d}\n"
    found = [f for f in lint(src) if f.code == "DL901"]
    assert [(f.location.row, f.api) for f in found] == [(2, "torch.nn.BatchNorm2d"), (2, "torch.nn.GELU"),
                                                        (4, "torch.nn.BatchNorm2d"), (5, "torch.nn.BatchNorm2d")]
    assert "momentum=0.1" in found[0].message
    assert found[0].fix.applicability == "display-only"


def test_class_references_that_construct_nothing_are_not_reported():
    src = BN + "isinstance(m, nn.BatchNorm2d)\nissubclass(c, nn.Linear)\nBN = nn.BatchNorm2d\n"
    assert [f for f in lint(src) if f.code == "DL901"] == []


def test_version_sensitive_default_gets_its_own_code_and_an_unsafe_fix():
    src = "import torch\ntorch.optim.SGD(params)"
    found = {f.parameters[0][0]: f for f in lint(src, target={"torch": ">=2.0"})}
    lr = found["lr"]
    assert lr.code == "DL902"
    assert lr.fix.applicability == "unsafe"
    assert "<2.2" in lr.message and ">=2.2" in lr.message
    # a target entirely after the change: the ordinary code, a safe fix
    found = {f.parameters[0][0]: f for f in lint(src, target={"torch": ">=2.4"})}
    assert found["lr"].code == "DL301" and found["lr"].fix.applicability == "safe"


def test_a_parameter_that_was_required_in_the_target_is_not_implicit():
    found = {f.parameters[0][0] for f in lint("import torch\ntorch.optim.SGD(p)", target={"torch": "2.1"})}
    assert "lr" not in found


def test_method_on_a_constructed_instance_resolves_through_its_class():
    from defaultlint.project.tables import load_table

    table = load_table()
    if table.by_name("keras.Model.fit") is None:
        import pytest

        pytest.skip("the table has no keras.Model.fit row yet")
    src = "import keras\nmodel = keras.Sequential([])\nmodel.fit(x, y)\n"
    assert any(f.api == "keras.Model.fit" for f in lint(src))


def test_syntax_error_is_a_finding_of_its_own():
    (f,) = lint("import torch\ndef f(:\n")
    assert f.code == "DL001" and f.location.row == 2 and "SyntaxError" in f.message


def test_noqa_suppresses_on_the_calls_first_line():
    src = BN + "nn.BatchNorm2d(  # noqa: DL201\n    64,\n)\nnn.BatchNorm2d(64)  # noqa\nnn.LayerNorm(3)  # noqa: DL999\n"
    found = [(f.location.row, f.code) for f in lint(src, select=("DL201", "DL202"))]
    assert found == [(2, "DL202"), (6, "DL202")]


def test_file_level_noqa():
    assert lint("# defaultlint: noqa\n" + BN + "nn.BatchNorm2d(64)") == []
    found = lint("# defaultlint: noqa: DL201\n" + BN + "nn.BatchNorm2d(64)", select=("DL201", "DL202"))
    assert [f.code for f in found] == ["DL202"]


def test_files_without_framework_names_are_skipped_but_still_parsed():
    assert lint("x = 1\n") == []
    assert [f.code for f in lint("x = (\n")] == ["DL001"]


def test_non_ascii_columns_are_characters():
    (f,) = lint(BN + "é = nn.LayerNorm(3)", select=("DL202",))
    assert f.location.column == 5


def test_an_argument_that_sets_the_same_thing_counts_as_explicit():
    # the legacy `unbiased` sets the correction: writing correction= as well would raise TypeError
    assert "correction" not in names("import torch\ntorch.std(x, unbiased=False)")
    assert "correction" in names("import torch\ntorch.std(x)")


def test_a_call_with_more_positional_arguments_than_the_signature_is_another_overload():
    assert lint("import torch\ntorch.std(x, 0, False)") == []


def test_initialising_a_tensor_that_is_no_layer_weight_silences_nothing():
    src = BN + "nn.init.zeros_(w)\nnn.CrossEntropyLoss()\nnn.Linear(2, 3)\n"
    assert [f.code for f in lint(src, select=("DL101", "DL102", "DL501"))] == ["DL501", "DL101", "DL102"]


def test_a_parameter_note_is_shown_without_a_counterpart():
    (f,) = lint("import torch\ntorch.std(x, keepdim=True)", select=("DL802",))
    assert "Bessel" in f.message


def test_a_row_of_a_third_family_names_the_value_of_each_other_family():
    # Flax's rows link to PyTorch; PyTorch's row links on to Keras: both values are stated, each converted
    # to nothing but its own convention
    [eps] = lint("import flax.linen as nn\nnorm = nn.LayerNorm()\n", select=["DL202"])
    assert eps.message == (
        "flax.linen.LayerNorm: `epsilon` is implicit (1e-06 in Flax 0.12.8); PyTorch LayerNorm uses eps=1e-05; "
        "Keras LayerNormalization uses epsilon=0.001. 1e-6 (torch LayerNorm: 1e-5; Keras LayerNormalization: 1e-3).")
    [momentum] = lint("import flax.linen as nn\nbn = nn.BatchNorm()\n", select=["DL201"])
    assert "; PyTorch BatchNorm2d uses momentum=0.1 (≙ momentum=0.9 in this convention); " \
           "Keras BatchNormalization uses momentum=0.99." in momentum.message
    [torch_eps] = lint("import torch\nnorm = torch.nn.LayerNorm(8)\n", select=["DL202"])
    assert "Keras LayerNormalization uses epsilon=0.001" in torch_eps.message and "Flax" not in torch_eps.message
