"""Maintainer tools: building and checking the default table against installed frameworks."""
