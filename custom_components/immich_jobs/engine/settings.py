"""The entry's options, read once per change into one typed value (HA's unifi `UnifiConfig`).

Pure module (no Home Assistant): `Settings.from_options` is the one place the options are
parsed (each part by its room's parser); the coordinator builds it when the options change,
the house and the scheduler read it, the benchmarks build it from their own options.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..const import (
    CONF_EXPRESS_LANE,
    CONF_EXPRESS_MAX_JOBS,
    CONF_MANAGED_QUEUES,
    CONF_NEVER_TOGETHER,
    CONF_POLICY,
    CONF_POLL_INTERVAL,
    CONF_PRIORITY,
    DEFAULT_EXPRESS_MAX_JOBS,
    DEFAULT_POLL_INTERVAL,
    POLICY_PREEMPTIVE,
)
from ..immich.models import Snapshot
from .house.conditions import ConditionOptions, conditions_from_options
from .house.groups import groups_from_options
from .house.uploads import FED_QUEUES, UploadOptions, uploads_from_options
from .model import Policy
from .queues import DEFAULT_MANAGED, DEFAULT_PRIORITY, is_manageable


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """What the options say: the scheduler's policy (less the limit), conditions, uploads."""

    # The limit and the queues another controller holds are the cycle's: `policy_in_force`.
    policy: Policy = field(default_factory=Policy)
    conditions: ConditionOptions = field(default_factory=ConditionOptions)
    uploads: UploadOptions = field(default_factory=UploadOptions)

    @property
    def poll_interval(self) -> float:
        """Return the regular interval between two reads, in seconds."""
        return self.policy.poll_interval

    @classmethod
    def from_options(cls, options: Mapping[str, Any]) -> Settings:
        """Read the entry's options; what is missing takes its default."""
        uploads = uploads_from_options(options)
        managed = options.get(CONF_MANAGED_QUEUES, DEFAULT_MANAGED)
        policy = Policy(
            priority=tuple(options.get(CONF_PRIORITY, DEFAULT_PRIORITY)),
            managed=frozenset(queue for queue in managed if is_manageable(queue)),
            kind=options.get(CONF_POLICY, POLICY_PREEMPTIVE),
            express_lane=bool(options.get(CONF_EXPRESS_LANE, True)),
            express_max_jobs=int(
                options.get(CONF_EXPRESS_MAX_JOBS, DEFAULT_EXPRESS_MAX_JOBS)
            ),
            poll_interval=float(options.get(CONF_POLL_INTERVAL, DEFAULT_POLL_INTERVAL)),
            exclusive_groups=groups_from_options(options.get(CONF_NEVER_TOGETHER)),
            watch_empty=watch_empty(uploads),
        )
        return cls(
            policy=policy, conditions=conditions_from_options(options), uploads=uploads
        )

    def policy_in_force(
        self,
        max_running: int,
        present: Snapshot | None = None,
        contested: Collection[str] = (),
    ) -> Policy:
        """Return the policy of one cycle: the limit, less the queues another controller holds.

        With `present`, only the managed queues Immich has are managed.
        """
        managed = self.policy.managed
        if present is not None:
            managed &= frozenset(present)
        rivals = managed & frozenset(contested)
        return replace(
            self.policy,
            max_running=max_running,
            managed=managed - rivals,
            contested=rivals,
        )

    def with_house(self, policy: Policy) -> Policy:
        """Return another policy with these settings' house rules (a benchmark's, a test's).

        The house rules are the never-together groups and the queues watched while empty.
        """
        return replace(
            policy,
            exclusive_groups=self.policy.exclusive_groups,
            watch_empty=self.policy.watch_empty,
        )


def watch_empty(uploads: UploadOptions) -> frozenset[str]:
    """Return the heavy queues to leave paused while empty, when the quiet period is on.

    A resumed queue runs a new photo's job between two reads, unseen; paused, the job waits
    in its count, and the next read sees the upload (uploads.py).
    """
    if not uploads.enabled:
        return frozenset()
    return frozenset(uploads.heavy & frozenset(FED_QUEUES))
