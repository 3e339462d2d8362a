"""defaultlint: find the framework defaults that deep-learning code leaves implicit."""

__version__ = "0.1.0"

# Where each rule is documented (docs/rules.md is generated from the table).
DOCS_URL = "https://github.com/defaultlint/defaultlint/blob/main/docs/rules.md"
