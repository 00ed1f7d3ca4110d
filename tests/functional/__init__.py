"""Functional tests: real processes and components (see conftest.py)."""
