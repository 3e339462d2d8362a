"""The table verification modules; their summary lines go through `verification_summary` (tests/conftest.py)."""
