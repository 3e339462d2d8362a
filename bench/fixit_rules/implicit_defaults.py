"""A Fixit rule comparable to defaultlint's core check, for the benchmark only.

It resolves each call's qualified name through imports (libcst's QualifiedNameProvider) and reports a
call to one of a few framework APIs that leaves a hyperparameter keyword unset.
"""

import libcst as cst
from fixit import LintRule
from libcst.metadata import QualifiedNameProvider

WATCHED = {
    "torch.nn.BatchNorm2d": ("momentum", "eps"),
    "torch.nn.Linear": ("bias",),
    "torch.nn.Conv2d": ("padding", "bias"),
    "torch.optim.Adam": ("lr", "eps", "betas"),
    "keras.layers.Dense": ("kernel_initializer", "use_bias"),
    "keras.layers.BatchNormalization": ("momentum", "epsilon"),
}


class ImplicitFrameworkDefault(LintRule):
    METADATA_DEPENDENCIES = (QualifiedNameProvider,)

    def visit_Call(self, node: cst.Call) -> None:
        given = {a.keyword.value for a in node.args if a.keyword is not None}
        for q in self.get_metadata(QualifiedNameProvider, node.func, set()):
            for name in WATCHED.get(q.name, ()):
                if name not in given:
                    self.report(node, f"{q.name}: `{name}` is implicit")
