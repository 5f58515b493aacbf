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

# Work when it suits the house (issue 16); the pure modules conditions.py, uploads.py and
# groups.py read these options, and docs/design-notes.md says why the defaults are what they are.
# "Allowed when": {"entity_id": ..., "work_when": "on" | "off"} for the whole server, and such a
# mapping per queue under CONF_QUEUE_CONDITIONS ({queue: {...}}).
CONF_SERVER_CONDITION: Final = "server_condition"
CONF_QUEUE_CONDITIONS: Final = "queue_conditions"
CONF_CONDITION_ENTITY: Final = "entity_id"
CONF_CONDITION_WORK_WHEN: Final = "work_when"
CONF_CONDITION_MIN_MINUTES: Final = "condition_min_minutes"
CONF_UPLOAD_QUIET: Final = "upload_quiet"
CONF_UPLOAD_QUIET_MINUTES: Final = "upload_quiet_minutes"
CONF_UPLOAD_MAX_HOLD_MINUTES: Final = "upload_max_hold_minutes"
CONF_HEAVY_QUEUES: Final = "heavy_queues"
CONF_NEVER_TOGETHER: Final = "never_together"

DEFAULT_CONDITION_MIN_MINUTES: Final = 5
MIN_CONDITION_MIN_MINUTES: Final = 1
MAX_CONDITION_MIN_MINUTES: Final = 60
DEFAULT_UPLOAD_QUIET: Final = True
DEFAULT_UPLOAD_QUIET_MINUTES: Final = 5
MIN_UPLOAD_QUIET_MINUTES: Final = 1
MAX_UPLOAD_QUIET_MINUTES: Final = 120
# The quiet period's hold lasts at most this long; then the heavy queues get a turn.
DEFAULT_UPLOAD_MAX_HOLD_MINUTES: Final = 30
MIN_UPLOAD_MAX_HOLD_MINUTES: Final = 5
MAX_UPLOAD_MAX_HOLD_MINUTES: Final = 240
