"""How right the time-left sensors are: the estimate at every read, against when the work ended.

Our scheduler runs each workload on the model (CPU contention, the slower box). At every read
the estimate is taken as the coordinator takes it (`time_left.time_left`, after the plan's
commands); for each managed queue with work, and for the server while any has work, it is
compared with the **actual** time left: until the queue next had nothing queued or running
(the server: until no managed queue had), read from the model's job events and counts alone,
never from the estimate (`Emptied`, `done_at`). New uploads and the work one queue hands on to
the next count in the actual time, as the user lives it; the estimate cannot foresee them.

Run with ``python -m bench.time_left_bench`` (``scripts/bench`` does): prints the table, writes
bench/time_left.json and refreshes the table in bench/README.md.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
import json
from pathlib import Path
import sys
from typing import Any

from custom_components.immich_jobs.engine.scheduler import (
    Action,
    Policy,
    managed_queues,
)
from custom_components.immich_jobs.engine.time_left import time_left
from custom_components.immich_jobs.immich import Snapshot
from simulator.model import ImmichModel, JobEvent

from .controllers import Decision, Ours
from .measures import quantile
from .run import run
from .workloads import WORKLOADS, Workload

SERVER = "(server)"
INTERVAL = 10.0
HERE = Path(__file__).parent
BEGIN, END = "<!-- time_left:begin -->", "<!-- time_left:end -->"


@dataclass(slots=True)
class Emptied:
    """When each queue, and the set of queues as a whole, was left with no work (the truth)."""

    queues: frozenset[str]
    at: dict[str, list[float]] = field(default_factory=dict)
    all_at: list[float] = field(default_factory=list)

    def watch(self, model: ImmichModel) -> None:
        """Listen to the model: only a job's end can leave a queue empty."""
        model.add_listener(lambda event: self.on_event(model, event))

    def on_event(self, model: ImmichModel, event: JobEvent) -> None:
        """Note the moments a finishing job left its queue, or every queue, with no work."""
        if event.what != "finish":
            return
        if not _has_work(model, event.queue):
            self.at.setdefault(event.queue, []).append(event.time)
        if event.queue in self.queues and not any(
            _has_work(model, name) for name in self.queues
        ):
            self.all_at.append(event.time)


def _has_work(model: ImmichModel, name: str) -> bool:
    counts = model.counts(name)
    return counts.active + counts.waiting + counts.paused > 0


def done_at(emptied: Sequence[float], at: float) -> float | None:
    """Return the first moment after ``at`` with no work left (None: never, in the run).

    A read at ``at`` that saw work came after every event of that instant: an emptying at
    the same instant was undone before the read (a job handed on, an upload).
    """
    index = bisect_right(emptied, at)
    return emptied[index] if index < len(emptied) else None


@dataclass(frozen=True, slots=True)
class Sample:
    """One read's estimate for one queue (or the server) that had work then."""

    at: float
    target: str
    estimate: float | None


class Estimating(Ours):
    """Our scheduler, unchanged, taking the time-left estimate at every read."""

    def __init__(self, name: str, policy: Policy) -> None:
        """Start as after installing the integration: nothing learned."""
        super().__init__(name, policy)
        self.samples: list[Sample] = []

    def poll(self, snapshot: Snapshot, now: float) -> Decision:
        """Plan like ours, then estimate from the state its commands leave."""
        decision = super().poll(snapshot, now)
        assert self.last is not None
        after = _after(snapshot, decision.commands)
        estimate = time_left(
            after,
            policy=self.policy,
            intents=self.intents,
            observed=self.memory,
            states=self.last.states,
            express=self.last.express,
            now=now,
        )
        busy = [n for n in managed_queues(after, self.policy) if after[n].has_work]
        self.samples += [Sample(now, name, estimate.queues[name]) for name in busy]
        if busy:
            self.samples.append(Sample(now, SERVER, estimate.until_idle))
        return decision


def _after(snapshot: Snapshot, commands: Iterable[tuple[str, Action]]) -> Snapshot:
    """Return the snapshot once the commands took effect (running jobs go on)."""
    result = dict(snapshot)
    for name, action in commands:
        old = result[name]
        paused = action is Action.PAUSE
        result[name] = replace(
            old,
            is_paused=paused,
            waiting=0 if paused else old.runnable,
            paused=old.runnable if paused else 0,
        )
    return result


@dataclass(frozen=True, slots=True)
class Error:
    """One estimate against the truth."""

    target: str
    at: float
    estimate: float | None
    actual: float
    early: bool  # in the first half of the time from the first look at this work to its end
    # How far into that stretch of work the read came (0: the first look, 1: its end).
    share: float = 0.0


def errors(samples: Sequence[Sample], emptied: Emptied) -> list[Error]:
    """Pair every sample with the actual time left; split each stretch of work in halves."""
    paired: list[tuple[Sample, float]] = []
    for sample in samples:
        times = (
            emptied.all_at if sample.target == SERVER else emptied.at.get(sample.target)
        )
        end = done_at(times or [], sample.at)
        if end is not None:
            paired.append((sample, end))
    first: dict[tuple[str, float], float] = {}
    for sample, end in paired:
        first.setdefault((sample.target, end), sample.at)
    return [
        Error(
            sample.target,
            sample.at,
            sample.estimate,
            end - sample.at,
            sample.at < (first[sample.target, end] + end) / 2,
            (sample.at - first[sample.target, end])
            / max(end - first[sample.target, end], 1e-9),
        )
        for sample, end in paired
    ]


# Reads within this share of a stretch around 25, 50 and 75 % of it count for that point.
CHECKPOINTS = (0.25, 0.5, 0.75)
CHECKPOINT_WIDTH = 0.05


def at_checkpoints(found: Sequence[Error]) -> dict[str, float | None]:
    """Return the median relative error of the estimates near 25, 50 and 75 % of the work."""
    out: dict[str, float | None] = {}
    for point in CHECKPOINTS:
        near = [
            abs(e.estimate - e.actual) / e.actual
            for e in found
            if e.estimate is not None
            and e.actual > 0
            and abs(e.share - point) <= CHECKPOINT_WIDTH
        ]
        out[f"{point:.0%}"] = _r(quantile(near, 0.5))
    return out


def summary(found: Sequence[Error]) -> dict[str, Any]:
    """Return the count, the unknown share and the error quantiles of some estimates."""
    known = [e for e in found if e.estimate is not None]
    absolute = [abs(e.estimate - e.actual) for e in known if e.estimate is not None]
    relative = [
        abs(e.estimate - e.actual) / e.actual
        for e in known
        if e.estimate is not None and e.actual > 0
    ]
    signed = [
        (e.estimate - e.actual) / e.actual
        for e in known
        if e.estimate is not None and e.actual > 0
    ]
    return {
        "samples": len(found),
        "unknown": len(found) - len(known),
        "abs_s": {
            "median": _r(quantile(absolute, 0.5)),
            "p90": _r(quantile(absolute, 0.9)),
        },
        "rel": {
            "median": _r(quantile(relative, 0.5)),
            "p90": _r(quantile(relative, 0.9)),
        },
        "bias": _r(quantile(signed, 0.5)),
    }


def measure(workload: Workload, policy: Policy) -> dict[str, Any]:
    """Run our scheduler on one workload; return the estimate's errors, queues and server."""
    controller = Estimating("preemptive", policy)
    emptied = Emptied(frozenset(policy.managed))

    def setup(model: ImmichModel) -> None:
        emptied.watch(model)
        workload.setup(model)

    run(replace(workload, setup=setup), controller, max_running=policy.max_running)
    found = errors(controller.samples, emptied)
    groups: dict[str, Callable[[Error], bool]] = {
        "queues": lambda e: e.target != SERVER,
        "server": lambda e: e.target == SERVER,
    }
    return {
        what: {
            phase: summary([e for e in found if keep(e) and e.early == early])
            for phase, early in (("early", True), ("late", False))
        }
        | {"checkpoints": at_checkpoints([e for e in found if keep(e)])}
        for what, keep in groups.items()
    }


def render(results: dict[str, dict[str, Any]]) -> str:
    """Return the errors as one markdown table."""
    lines = [
        "| N | workload | what | reads with work (unknown) early / late | abs error s, median / p90: early | late | relative error, median / p90: early | late | bias (median signed) early / late | median relative error at 25 / 50 / 75 % of the work |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for key, row in results.items():
        limit, name = key.split(" ", 1)
        for what, phases in row.items():
            early, late = phases["early"], phases["late"]
            lines.append(
                f"| {limit} | {name} | {what} "
                f"| {early['samples']} ({early['unknown']}) / {late['samples']} ({late['unknown']}) "
                f"| {_pair(early['abs_s'], '.0f')} | {_pair(late['abs_s'], '.0f')} "
                f"| {_pair(early['rel'], '.0%')} | {_pair(late['rel'], '.0%')} "
                f"| {_num(early['bias'], '+.0%')} / {_num(late['bias'], '+.0%')} "
                f"| {' / '.join(_num(v, '.0%') for v in phases['checkpoints'].values())} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    """Measure every workload with work at N = 1 and 2; publish the table."""
    results: dict[str, dict[str, Any]] = {}
    for limit in (1, 2):
        for workload in WORKLOADS:
            if workload.name == "idle_day":
                continue  # nothing to estimate: every read says 0, rightly
            policy = Policy(max_running=limit, poll_interval=INTERVAL)
            results[f"{limit} {workload.name}"] = measure(workload, policy)
    (HERE / "time_left.json").write_text(json.dumps(results, indent=2) + "\n")
    table = render(results)
    print(table)
    readme = HERE / "README.md"
    text = readme.read_text()
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        readme.write_text(f"{head}{BEGIN}\n{table}\n{END}{rest.split(END, 1)[1]}")
    return 0


def _pair(values: dict[str, float | None], spec: str) -> str:
    return f"{_num(values['median'], spec)} / {_num(values['p90'], spec)}"


def _num(value: float | None, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def _r(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


if __name__ == "__main__":
    sys.exit(main())
