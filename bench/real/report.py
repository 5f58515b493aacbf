"""A run's figures from its raw record, and the markdown table of every run (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
import statistics
from typing import Any

from custom_components.immich_jobs.immich import QueueStatus

from . import measures as m

HOLD = (120.0, 300.0)
TIME_LEFT_AT = (0.25, 0.5, 0.75)
_UNIT_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def samples_of(record: Mapping[str, Any]) -> list[m.Sample]:
    """Return a record's samples (queues it left out had nothing and were not paused)."""
    out = []
    for raw in record["samples"]:
        queues = {
            name: QueueStatus(
                name=name,
                active=c[0],
                waiting=c[1],
                paused=c[2],
                delayed=c[3],
                failed=0,
                is_paused=bool(c[4]),
            )
            for name, c in raw["q"].items()
        }
        out.append(m.Sample(raw["at"], queues))
    return out


def idle_timings(probe: Sequence[Sequence[float]]) -> list[float]:
    """Return the probe's timings before T0 (controller started, nothing queued)."""
    return [taken for at, taken in probe if at < 0]


def time_left(
    estimates: Sequence[Mapping[str, Any]], makespan: float
) -> list[dict[str, Any]]:
    """Return the time-until-idle sensor against the real remaining time at 25/50/75 %."""
    out = []
    for share in TIME_LEFT_AT:
        at = share * makespan
        seen = [e for e in estimates if e["at"] <= at]
        if not seen:
            continue
        last = seen[-1]
        idle: float | None = None
        longest: tuple[float, str] | None = None
        for entity, value in last["sensors"].items():
            seconds = _seconds(value)
            if entity.endswith("_time_until_idle"):
                idle = seconds
            elif seconds is not None and (longest is None or seconds > longest[0]):
                longest = (seconds, entity.rsplit("_time_left", 1)[0])
        out.append(
            {
                "share": share,
                "at_s": last["at"],
                "sensor_s": None if idle is None else round(idle),
                "longest_queue_s": None if longest is None else round(longest[0]),
                "longest_queue": None if longest is None else longest[1],
                "real_s": round(makespan - last["at"], 1),
            }
        )
    return out


def _seconds(value: Sequence[str | None]) -> float | None:
    """Return a duration sensor's state in seconds (None when unknown)."""
    state, unit = value[0], value[1]
    if state is None or state in {"unknown", "unavailable"}:
        return None
    return float(state) * _UNIT_SECONDS.get(unit or "s", 1.0)


def figures(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return every figure of one run."""
    samples = samples_of(record)
    makespan = m.makespan(samples)
    requests = [m.Request(at, method, path) for at, method, path in record["requests"]]
    probe = [(at, taken) for at, taken in record["probe"]]
    idle = idle_timings(record["probe"])
    photo = m.latencies(record["photos_uploaded_s"], record["photos_thumbnail_s"])
    after_transcode = m.first_quiet(samples, "videoConversion", HOLD[0])
    windows = m.busy_windows(samples)
    return {
        "controller": record["controller"],
        "description": record["description"],
        "started_utc": record["started_utc"],
        "load_average_at_start": [
            round(x, 2) for x in record["load_average_before_t0"]
        ],
        "load_average_at_end": [
            round(x, 2) for x in record.get("load_average_at_end", [])
        ],
        "finished": record["finished"],
        "makespan_s": makespan,
        "photo_thumbnail_s": [round(x, 2) for x in photo],
        "photo_thumbnail_median_s": _round(m.median(photo)),
        "peak_running_queues_sampled": m.peak_running(samples),
        "stall_s": round(m.stall(samples, makespan), 1),
        "requests_per_hour": round(m.requests_per_hour(requests, 0.0, makespan)),
        "requests_t0_to_makespan": sum(0 <= r.at <= makespan for r in requests),
        "queues_commanded": m.commanded(requests),
        "internal_queues_touched": m.internal_touched(requests),
        "left_paused_when_done": record["left_paused_when_done"],
        "left_paused_after_stop": record["left_paused_after_stop"],
        "idle_probe_median_ms": round(1000 * statistics.median(idle), 2)
        if idle
        else None,
        "probe_run": m.probe_figures(probe, idle, 0.0, makespan),
        "probe_hold": m.probe_figures(probe, idle, *HOLD),
        "probe_hold_after_transcode": {
            "from_s": after_transcode,
            **(
                m.probe_figures(probe, idle, after_transcode, HOLD[1])
                if after_transcode is not None and after_transcode < HOLD[1]
                else {}
            ),
        },
        "condition_switched": record["condition_switched"],
        "busy_windows_s": {k: list(v) for k, v in sorted(windows.items())},
        "time_left": time_left(record["estimates"], makespan),
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def _probe(p: Mapping[str, Any]) -> str:
    if not p.get("samples"):
        return "—"
    return f"{p['p50']} / {p['p95']} / {p['max']} (idle p95 {p['idle_p95']})"


def _load(f: Mapping[str, Any]) -> str:
    end = f.get("load_average_at_end") or []
    start = f"{f['load_average_at_start'][0]:.2f}"
    return f"{start} / {end[0]:.2f}" if end else start


def _names(names: Sequence[str]) -> str:
    return str(len(names)) if names else "0"


def table(runs: Mapping[str, Mapping[str, Any]]) -> str:
    """Return the markdown table of the runs, unmanaged first."""
    base = runs.get("unmanaged", {}).get("makespan_s")
    lines = [
        "| controller | load avg (1 min) at T0 / end | makespan s (× unmanaged) | photo→thumbnail median s"
        " (each) | peak running queues | stall s | requests/h | left paused: done / stopped"
        " | internal queues touched | probe p50 / p95 / max, whole run | probe in T0+120…300 s"
        " | probe in the hold once the transcode ended |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in runs.values():
        ratio = f" ({f['makespan_s'] / base:.2f}×)" if base else ""
        each = " ".join(f"{x:g}" for x in f["photo_thumbnail_s"])
        hold = f["probe_hold_after_transcode"]
        after = (
            f"from T0+{hold['from_s']:g} s: {_probe(hold)}"
            if f["condition_switched"] and hold.get("samples")
            else "—"
        )
        lines.append(
            f"| {f['description']} | {_load(f)} "
            f"| {f['makespan_s']:g}{ratio} | {f['photo_thumbnail_median_s']:g} ({each}) "
            f"| {f['peak_running_queues_sampled']} | {f['stall_s']:g} "
            f"| {f['requests_per_hour']} "
            f"| {_names(f['left_paused_when_done'])} / {_names(f['left_paused_after_stop'])} "
            f"| {_names(f['internal_queues_touched'])} | {_probe(f['probe_run'])} "
            f"| {_probe(f['probe_hold'])} | {after} |"
        )
    return "\n".join(lines) + "\n"
