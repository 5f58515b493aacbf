"""Constants of the Immich Jobs integration."""

from __future__ import annotations

import logging
from typing import Final

DOMAIN: Final = "immich_jobs"
LOGGER = logging.getLogger(__package__)

# Options (entry.options); the coordinator reads them every cycle, so changes apply at once.
CONF_MAX_RUNNING: Final = "max_running"
CONF_POLL_INTERVAL: Final = "poll_interval"
CONF_PRIORITY: Final = "priority"
CONF_MANAGED_QUEUES: Final = "managed_queues"
CONF_POLICY: Final = "policy"
CONF_EXPRESS_LANE: Final = "express_lane"
CONF_EXPRESS_MAX_JOBS: Final = "express_max_jobs"

DEFAULT_MAX_RUNNING: Final = 1
MAX_MAX_RUNNING: Final = 12
DEFAULT_POLL_INTERVAL: Final = 10
MIN_POLL_INTERVAL: Final = 2
MAX_POLL_INTERVAL: Final = 300
DEFAULT_EXPRESS_MAX_JOBS: Final = 25
MAX_EXPRESS_MAX_JOBS: Final = 1000

POLICY_PREEMPTIVE: Final = "preemptive"
POLICY_FINISH_FIRST: Final = "finish_first"
POLICIES: Final = (POLICY_PREEMPTIVE, POLICY_FINISH_FIRST)
