"""Command gating and rival detection take an injected clock: no Home Assistant instance."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations() -> None:
    """Skip the Home Assistant harness: nothing here touches Home Assistant."""
