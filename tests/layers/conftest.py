"""Quiet the legacy TF1 cells' deprecation warnings in the differential tests."""

import pathlib

import pytest

_HERE = pathlib.Path(__file__).parent


def pytest_collection_modifyitems(items):
    for item in items:
        if _HERE in pathlib.Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.filterwarnings("ignore::DeprecationWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore:.*deprecated:UserWarning"))
            item.add_marker(pytest.mark.filterwarnings("ignore:The initializer .* is unseeded:UserWarning"))
