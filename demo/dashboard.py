"""The demo's dashboard: the one the integration's get_dashboard action returns, as YAML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from custom_components.immich_jobs.runtime.dashboard import (
    QUEUE_KEYS,
    SERVER_KEYS,
    Entities,
    dashboard,
)

__all__ = ["QUEUE_KEYS", "SERVER_KEYS", "Entities", "dashboard", "dump"]


def dump(config: Mapping[str, Any]) -> str:
    """Render as YAML (what a user would paste into a YAML-mode dashboard)."""
    return str(yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True))
