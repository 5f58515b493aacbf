"""Run the real bench: ``python -m bench.real --url URL --key KEY [--controller NAME]...``.

Against a real Immich (never the project's CI): makes the media, refuses a server with assets
of its own, runs each controller back to back with a reset in between, and writes
bench/real/runs/<controller>.json (raw), bench/real/results.json and results.md. A run of one
controller replaces only its own row, so "ours" can be re-run alone later.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
from pathlib import Path
import platform
import sys
from typing import Any

import aiohttp

from .controllers import VARIANTS
from .immich import BenchError, Immich
from .media import make_media
from .report import figures, table
from .session import Settings, run

HERE = Path(__file__).parent
WORK = Path("/work/immich-real/bench")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Read the command line."""
    parser = argparse.ArgumentParser(prog="python -m bench.real", description=__doc__)
    parser.add_argument("--url", help="Immich, e.g. http://127.0.0.1:2283")
    parser.add_argument(
        "--key", help="an API key with every permission (uploads, deletes)"
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="only recompute results.json and results.md from runs/*.json (no server)",
    )
    parser.add_argument(
        "--controller-key", help="the key the controllers get (default: --key)"
    )
    parser.add_argument(
        "--controller",
        action="append",
        choices=list(VARIANTS),
        help="run only these (repeatable; default: all, in the table's order)",
    )
    parser.add_argument("--allow-existing-assets", action="store_true")
    parser.add_argument(
        "--work", type=Path, default=WORK, help="media, logs, probe files"
    )
    parser.add_argument(
        "--demo-python",
        help="the Python that runs scripts/demo's Home Assistant (DEMO_PYTHON)",
    )
    parser.add_argument("--interval", type=int, default=10, help="poll interval, s")
    args = parser.parse_args(argv)
    if not args.rebuild and not (args.url and args.key):
        parser.error("--url and --key are needed to run (or --rebuild)")
    return args


def _meminfo_gb() -> float:
    with Path("/proc/meminfo").open(encoding="utf-8") as fh:
        kb = int(fh.readline().split()[1])
    return round(kb / 1024**2, 1)


def _cpu_model() -> str:
    with Path("/proc/cpuinfo").open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


async def describe(url: str, key: str) -> dict[str, Any]:
    """Return the box and the server as the results name them."""
    async with aiohttp.ClientSession() as session:
        immich = Immich(session, url, key)
        return {
            "cores": os.cpu_count(),
            "cpu": _cpu_model(),
            "memory_gb": _meminfo_gb(),
            "kernel": platform.release(),
            "immich": await immich.version(),
            "machine_learning": await immich.machine_learning(),
            "shared": "Immich, the probe and the controllers ran at normal priority; the ours runs include "
            "the demo's Home Assistant on the same box; the load average at T0 is given per run",
        }


def publish(box: dict[str, Any], name: str, record: dict[str, Any]) -> dict[str, Any]:
    """Keep the raw record, replace the controller's row, rewrite the table."""
    runs_dir = HERE / "runs"
    runs_dir.mkdir(exist_ok=True)
    (runs_dir / f"{name}.json").write_text(json.dumps(record) + "\n")
    path = HERE / "results.json"
    data = json.loads(path.read_text()) if path.exists() else {"runs": {}}
    data["box"] = box
    data["runs"][name] = figures(record)
    data["runs"] = {k: data["runs"][k] for k in VARIANTS if k in data["runs"]}
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (HERE / "results.md").write_text(render(data))
    return data


def rebuild() -> None:
    """Recompute every row from the raw records (after a change to the measures)."""
    path = HERE / "results.json"
    data = json.loads(path.read_text())
    data["runs"] = {
        name: figures(json.loads((HERE / "runs" / f"{name}.json").read_text()))
        for name in VARIANTS
        if (HERE / "runs" / f"{name}.json").exists()
    }
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    (HERE / "results.md").write_text(render(data))


def render(data: dict[str, Any]) -> str:
    """Return results.md: the box, then the table."""
    box = data["box"]
    return (
        "# Real server, one box, back to back\n\n"
        f"Box: {box['cores']} cores ({box['cpu']}), {box['memory_gb']} GB, kernel "
        f"{box['kernel']}; Immich {box['immich']}, machine learning "
        f"{'on' if box['machine_learning'] else 'off'}; {box['shared']}.\n"
        "Workload: 20 HEVC 1080p 60 s clips at T0, 5 photos (2400×1800) at T0+30…70 s; "
        "N = 1, poll 10 s. Probe slowdowns are divided by the median idle sample of the "
        "same run (idle p95 beside). Written by `python -m bench.real` (bench/real/).\n\n"
        + table(data["runs"])
    )


async def amain(args: argparse.Namespace) -> int:
    """Run the chosen controllers in order."""
    work = args.work
    media = make_media(work / "media")
    settings = Settings(
        url=args.url,
        key=args.key,
        controller_key=args.controller_key or args.key,
        media=media,
        work=work,
        allow_existing=args.allow_existing_assets,
        interval=args.interval,
        demo_python=args.demo_python,
    )
    box = await describe(args.url, args.key)
    failed = 0
    for name in args.controller or list(VARIANTS):
        print(f"bench.real: {name} …", flush=True)
        try:
            record = await run(settings, name)
        except BenchError as err:  # the next controller still runs, on a reset server
            print(f"bench.real: {name} failed: {err}", file=sys.stderr, flush=True)
            failed += 1
            continue
        row = publish(box, name, record)["runs"][name]
        print(
            f"bench.real: {name}: makespan {row['makespan_s']} s, photo median "
            f"{row['photo_thumbnail_median_s']} s, probe {row['probe_run']}",
            flush=True,
        )
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = parse_args(argv)
    if args.rebuild:
        rebuild()
        return 0
    try:
        return asyncio.run(amain(args))
    except BenchError as err:
        print(f"bench.real: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
