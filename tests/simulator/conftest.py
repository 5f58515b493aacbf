# ruff: noqa: INP001
"""Fixtures for the simulator's own tests.

pytest only honours ``pytest_plugins`` in the rootdir conftest, so the plugin's fixtures are
imported here instead (harmless if the root conftest registers the plugin too).
"""

from simulator.pytest_plugin import immich, immich_profile

__all__ = ["immich", "immich_profile"]
