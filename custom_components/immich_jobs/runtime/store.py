"""The user's intents and what must survive a restart, in one versioned Store per entry.

Kept on disk: the intents (scheduling, held and run-now queues, the limit, a timed pause), the
queues the integration paused (a release must resume them) and the learned job durations. Not
kept: counts, progress and command times, which are monotonic-clock readings of this run. A
Raspberry Pi runs on an SD card: a write happens only when something kept changed, and the
durations, which move with every read while work goes on, at most every few minutes.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from datetime import datetime
import math
from typing import Any

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_utc_time
from homeassistant.helpers.storage import Store
import homeassistant.util.dt as dt_util

from ..const import DEFAULT_MAX_RUNNING, DOMAIN, MAX_MAX_RUNNING
from ..engine.house.rules import HOUSE_KEYS
from ..engine.intents import Intents
from ..engine.scheduler import Memory

# 1: {"intents", "memory": every field of the scheduler's memory}; the limit in the options.
# 2: {"intents" (with the limit), "owned", "took_over", "job_seconds"}, and the house's
# "conditions" (each condition entity's decided on/off state) and "uploads_arriving" while
# there are any (house_rules.py).
STORAGE_VERSION = 2
# Batch the writes of one change (a switch flipped twice in a second is one write).
SAVE_DELAY = 1.0
# Learned durations change at every read while work goes on: write them at most this often.
DURATIONS_EVERY = 600.0


def _strings(value: object) -> frozenset[str]:
    if not isinstance(value, list | tuple):
        return frozenset()
    return frozenset(item for item in value if isinstance(item, str))


def _limit(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 <= value <= MAX_MAX_RUNNING else None


def _time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    parsed = dt_util.parse_datetime(value)
    return dt_util.as_utc(parsed) if parsed is not None and parsed.tzinfo else None


def intents_as_dict(intents: Intents) -> dict[str, Any]:
    """Serialize the user's intents for the Store (the house's holds are not kept)."""
    return {
        "scheduling": intents.scheduling,
        "held": sorted(intents.held),
        "run_now": sorted(intents.run_now),
        "max_running": intents.max_running,
        "restore_max_running": intents.restore_max_running,
        "hold_until": intents.hold_until.isoformat() if intents.hold_until else None,
    }


def intents_from_dict(data: object) -> Intents:
    """Read back what intents_as_dict wrote; anything missing or malformed takes its default."""
    if not isinstance(data, Mapping):
        return Intents()
    scheduling = data.get("scheduling", True)
    restore = _limit(data.get("restore_max_running"))
    hold_until = _time(data.get("hold_until"))
    limit = _limit(data.get("max_running"))
    return Intents(
        scheduling=scheduling if isinstance(scheduling, bool) else True,
        held=_strings(data.get("held")),
        run_now=_strings(data.get("run_now")),
        max_running=DEFAULT_MAX_RUNNING if limit is None else limit,
        # A pause is the limit 0 and the limit to give back (a timed one has its end
        # too), or nothing.
        restore_max_running=restore if limit == 0 else None,
        hold_until=hold_until if restore is not None and limit == 0 else None,
    )


def memory_as_dict(memory: Memory) -> dict[str, Any]:
    """Return what is kept of the scheduler's memory: ownership and learned durations."""
    return {
        "owned": sorted(memory.owned),
        "took_over": memory.took_over,
        "job_seconds": dict(sorted(memory.job_seconds.items())),
    }


def memory_from_dict(data: Mapping[str, Any]) -> Memory:
    """Rebuild the kept memory, skipping what is missing or malformed."""
    durations = data.get("job_seconds")
    return Memory(
        owned=_strings(data.get("owned")),
        took_over=data.get("took_over") is True,
        job_seconds={
            queue: float(seconds)
            for queue, seconds in durations.items()
            if isinstance(queue, str)
            and isinstance(seconds, int | float)
            and not isinstance(seconds, bool)
            and math.isfinite(seconds)
            and seconds > 0
        }
        if isinstance(durations, Mapping)
        else {},
    )


class _VersionedStore(Store[dict[str, Any]]):
    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> dict[str, Any]:
        """Turn version 1 (the whole memory, clock readings included) into version 2."""
        if old_major_version == 1:
            memory = old_data.get("memory")
            memory = memory if isinstance(memory, Mapping) else {}
            return {
                "intents": old_data.get("intents", {}),
                "owned": memory.get("owned", []),
                "job_seconds": memory.get("job_seconds", {}),
            }
        raise NotImplementedError


def entry_store(hass: HomeAssistant, entry_id: str) -> Store[dict[str, Any]]:
    """Return the Store of one entry."""
    return _VersionedStore(hass, STORAGE_VERSION, f"{DOMAIN}.{entry_id}")


async def async_load(store: Store[dict[str, Any]]) -> tuple[Intents, Memory]:
    """Load the intents and the kept memory (defaults when nothing was stored)."""
    return _from_stored(await store.async_load() or {})


async def async_keep_limit(store: Store[dict[str, Any]], limit: int) -> None:
    """Keep a limit that version 1.1 of the entry held in its options (migration, once).

    Over a timed pause's 0 the pause goes on; any other value was the user's choice and
    ends it, as the number would.
    """
    stored = await store.async_load() or {}
    intents = intents_from_dict(stored.get("intents"))
    if limit or intents.restore_max_running is None:
        intents = intents.set_limit(limit)
    await store.async_save({**stored, "intents": intents_as_dict(intents)})


def _from_stored(stored: Mapping[str, Any]) -> tuple[Intents, Memory]:
    return intents_from_dict(stored.get("intents")), memory_from_dict(stored)


class PauseTimer:
    """Ends a timed pause on time; never outlives its coordinator (cancelled on stop)."""

    def __init__(
        self, hass: HomeAssistant, on_end: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        """Nothing is scheduled yet."""
        self._hass = hass
        self._on_end = on_end
        self._unsub: CALLBACK_TYPE | None = None

    @property
    def scheduled(self) -> bool:
        """Tell whether a pause's end is on its way."""
        return self._unsub is not None

    @callback
    def schedule(self, until: datetime | None) -> None:
        """End the pause at `until`; None cancels."""
        if self._unsub is not None:
            self._unsub()
            self._unsub = None
        if until is not None:
            self._unsub = async_track_point_in_utc_time(self._hass, self._fire, until)

    async def _fire(self, _now: datetime) -> None:
        self._unsub = None
        await self._on_end()


class IntentStore:
    """Writes intents and kept memory when they changed, durations at most every few minutes."""

    def __init__(
        self, hass: HomeAssistant, entry_id: str, clock: Callable[[], float]
    ) -> None:
        """Prepare the entry's Store; nothing is read or written yet."""
        self._store = entry_store(hass, entry_id)
        self._clock = clock
        self._latest: dict[str, Any] = {}
        self._on_disk: dict[str, Any] = {}
        self._due: float | None = None
        self._durations_at = clock()
        self._loaded = False
        self._closed = False
        # What the house kept at the last run (house_rules.py).
        self.house: dict[str, Any] = {}

    async def async_load(self) -> tuple[Intents, Memory]:
        """Load what the last run kept."""
        stored = await self._store.async_load() or {}
        intents, memory = _from_stored(stored)
        self.house = {key: stored[key] for key in HOUSE_KEYS if key in stored}
        self._on_disk = self._latest = _stored(intents, memory, self.house)
        self._loaded = True
        return intents, memory

    @callback
    def save(
        self,
        intents: Intents,
        memory: Memory,
        house: Mapping[str, Any] | None = None,
    ) -> None:
        """Write soon if something kept changed; durations alone wait their turn."""
        if self._closed or not self._loaded:
            return
        self._latest = _stored(intents, memory, house)
        if self._latest == self._on_disk:
            return
        now = self._clock()
        if _without_durations(self._latest) != _without_durations(self._on_disk):
            delay = SAVE_DELAY
        else:
            delay = max(SAVE_DELAY, self._durations_at + DURATIONS_EVERY - now)
        if self._due is not None and self._due <= now + delay:
            return  # a write is on its way; it takes the newest data
        self._due = now + delay
        self._store.async_delay_save(self._write, delay)

    def _write(self) -> dict[str, Any]:
        """Hand the Store the newest data as it writes."""
        self._due = None
        self._on_disk = self._latest
        self._durations_at = self._clock()
        return self._latest

    async def async_close(
        self,
        intents: Intents,
        memory: Memory,
        house: Mapping[str, Any] | None = None,
    ) -> None:
        """Write what changed now (unload); nothing is written after this.

        A Store never loaded (a set-up that failed before) is left as it is on disk.
        """
        self._closed = True
        if not self._loaded:
            return
        self._latest = _stored(intents, memory, house)
        if self._latest != self._on_disk or self._due is not None:
            self._due = None
            self._on_disk = self._latest
            await self._store.async_save(self._latest)


def _stored(
    intents: Intents, memory: Memory, house: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    return {
        "intents": intents_as_dict(intents),
        **memory_as_dict(memory),
        **(house or {}),
    }


def _without_durations(data: Mapping[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key != "job_seconds"}
