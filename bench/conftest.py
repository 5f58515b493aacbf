"""Fixtures for the one benchmark that needs Home Assistant's test harness (cycle_bench.py)."""

from simulator.pytest_plugin import immich, immich_profile
from tests.conftest import (
    api_key,
    auto_enable_custom_integrations,
    config_entry,
    loaded_entry,
)

__all__ = [
    "api_key",
    "auto_enable_custom_integrations",
    "config_entry",
    "immich",
    "immich_profile",
    "loaded_entry",
]
