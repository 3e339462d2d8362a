"""Shared by the table verification modules: each adds its summary line, printed once at the end of the run."""

import pytest

_LINES = pytest.StashKey[list]()


@pytest.fixture(scope="session")
def verification_summary(request) -> list:
    """Append a line ('verified N torch rows: ...'); pytest prints the lines in its terminal summary."""
    return request.config.stash.setdefault(_LINES, [])


def pytest_terminal_summary(terminalreporter, config):
    for line in config.stash.get(_LINES, []):
        terminalreporter.write_line(line)
