"""Fidelity: the simulator answers like the real v3.1.0 server, and like each release's API.

Each recorded sample is replayed after putting the simulator in the recorded situation; the
status must be equal and the body of the same shape (keys and types, recursively), with the
same ``message`` for errors. Where the situation is deterministic, the body must be equal.
"""

from __future__ import annotations

from collections.abc import Callable
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from simulator.model import THUMBNAIL_GENERATION, ImmichModel
from simulator.profiles import PROFILES, Profile
from simulator.server import (
    KEY_ALL,
    KEY_NO_QUEUE_PERMS,
    KEY_NON_ADMIN,
    KEY_QUEUE_READ_ONLY,
    KEY_QUEUES,
    SimulatedImmich,
)

SAMPLES = Path(__file__).parent.parent / "fixtures" / "immich-samples" / "v3.1.0"
THUMB = THUMBNAIL_GENERATION
PAUSE = {"command": "pause", "force": False}

type Setup = Callable[[ImmichModel], None]


def idle(model: ImmichModel) -> None:
    """Leave the server idle."""


def paused_with_uploads(model: ImmichModel) -> None:
    """Pause thumbnails, upload 20 photos, let the rest of the pipeline finish (32, 33)."""
    model.pause(THUMB)
    model.upload(photos=20)
    model.run_until_idle(limit=60)


def resumed_after_uploads(model: ImmichModel) -> None:
    """Like ``paused_with_uploads``, then resumed: thumbnails running (36)."""
    paused_with_uploads(model)
    model.resume(THUMB)


def processed_then_paused(model: ImmichModel) -> None:
    """Photos already processed, then thumbnails paused with nothing queued (41)."""
    model.upload(photos=20)
    model.run_until_idle()
    model.pause(THUMB)


def paused_then_forced_start(model: ImmichModel) -> None:
    """Then start force=true: one discovery job held in ``paused`` (42-44)."""
    processed_then_paused(model)
    model.start(THUMB, force=True)


def finished(model: ImmichModel) -> None:
    """Everything processed and resumed: the final idle state (45, 46)."""
    paused_then_forced_start(model)
    model.resume(THUMB)
    model.run_until_idle()


def running_41(model: ImmichModel) -> None:
    """41 thumbnail jobs queued, 3 running, as in the mid-flight recording (50)."""
    model.enqueue(THUMB, 41, kind="photo")


def paused_mid_flight(model: ImmichModel) -> None:
    """Paused with 3 still running and 38 held (51)."""
    running_41(model)
    model.pause(THUMB)


def paused_mid_flight_drained(model: ImmichModel) -> None:
    """Seconds later: the 3 running jobs finished, 38 held (52)."""
    paused_mid_flight(model)
    model.advance(4.0)


# sample → (situation, key, body sent, body must be equal, not just of the same shape).
# Bodies differ where timing differs: Immich picks up one job within milliseconds of a
# resume, the model starts every free slot at once (35, 44, 52); ids, dates, versions of
# tools and the user's flags differ too (75-81).
CASES: dict[str, tuple[Setup, str | None, Any, bool]] = {
    "10-get-jobs-idle.json": (idle, KEY_ALL, None, True),
    "11-get-queues-idle.json": (idle, KEY_ALL, None, True),
    "12-get-queue-thumbnail-idle.json": (idle, KEY_ALL, None, True),
    "20-get-jobs-no-perms-key.json": (idle, KEY_NO_QUEUE_PERMS, None, True),
    "21-get-queues-no-perms-key.json": (idle, KEY_NO_QUEUE_PERMS, None, True),
    "22-put-jobs-pause-readonly-key.json": (idle, KEY_QUEUE_READ_ONLY, PAUSE, True),
    "23-put-queues-pause-readonly-key.json": (
        idle,
        KEY_QUEUE_READ_ONLY,
        {"isPaused": True},
        True,
    ),
    "24-get-jobs-no-key.json": (idle, None, None, True),
    "25-get-jobs-bad-key.json": (idle, "not-a-key", None, True),
    "26-put-jobs-bad-command.json": (
        idle,
        KEY_ALL,
        {"command": "bogus", "force": False},
        True,
    ),
    "27-put-jobs-bad-queue.json": (idle, KEY_ALL, PAUSE, True),
    "28-pause-backgroundTask-new-api.json": (idle, KEY_ALL, {"isPaused": True}, True),
    "29b-get-jobs-non-admin-all-key.json": (idle, KEY_NON_ADMIN, None, True),
    "29c-put-queues-non-admin-all-key.json": (
        idle,
        KEY_NON_ADMIN,
        {"isPaused": True},
        True,
    ),
    "30-put-jobs-pause-thumbnailGeneration.json": (idle, KEY_ALL, PAUSE, True),
    "32-get-jobs-while-paused.json": (paused_with_uploads, KEY_ALL, None, True),
    "33-get-queues-while-paused.json": (paused_with_uploads, KEY_ALL, None, True),
    "35-put-jobs-resume-thumbnailGeneration.json": (
        paused_with_uploads,
        KEY_ALL,
        {"command": "resume", "force": False},
        False,
    ),
    "36-get-jobs-while-active.json": (resumed_after_uploads, KEY_ALL, None, True),
    "40-put-queues-pause.json": (idle, KEY_ALL, {"isPaused": True}, True),
    "41-put-jobs-start-force-while-paused.json": (
        processed_then_paused,
        KEY_ALL,
        {"command": "start", "force": True},
        True,
    ),
    "42-get-queue-thumbnail-paused-with-jobs.json": (
        paused_then_forced_start,
        KEY_ALL,
        None,
        True,
    ),
    "43-get-jobs-paused-with-jobs.json": (
        paused_then_forced_start,
        KEY_ALL,
        None,
        True,
    ),
    "44-put-queues-resume.json": (
        paused_then_forced_start,
        KEY_ALL,
        {"isPaused": False},
        False,
    ),
    "45-get-jobs-final.json": (finished, KEY_ALL, None, True),
    "46-get-queues-final.json": (finished, KEY_ALL, None, True),
    "50-pause-midflight-response.json": (running_41, KEY_ALL, PAUSE, True),
    "51-get-jobs-paused-but-still-active.json": (
        paused_mid_flight,
        KEY_ALL,
        None,
        True,
    ),
    "52-resume-midflight-response.json": (
        paused_mid_flight_drained,
        KEY_ALL,
        {"isPaused": False},
        False,
    ),
    "70-get-server-version.json": (idle, None, None, True),
    "71-get-server-ping.json": (idle, None, None, True),
    "72-get-server-config.json": (idle, None, None, True),
    "73-get-server-features.json": (idle, None, None, True),
    "74-get-server-about-queues-key.json": (idle, KEY_QUEUES, None, True),
    "75-get-server-about-all-key.json": (idle, KEY_ALL, None, False),
    "76-get-users-me-queues-key.json": (idle, KEY_QUEUES, None, True),
    "77-get-users-me-all-key.json": (idle, KEY_ALL, None, False),
    "78-get-api-keys-me-queues-key.json": (idle, KEY_QUEUES, None, False),
    "79-get-api-keys-me-all-key.json": (idle, KEY_ALL, None, False),
    "80-get-api-keys-me-no-queue-perms-key.json": (
        idle,
        KEY_NO_QUEUE_PERMS,
        None,
        False,
    ),
    "81-get-api-keys-me-read-only-key.json": (idle, KEY_QUEUE_READ_ONLY, None, False),
}

# Recorded samples the simulator cannot reproduce, with the reason. None today: the
# timeline-*.json series are replayed by tests/simulator/test_model.py instead.
SKIPPED: dict[str, str] = {}


def shape(value: Any) -> Any:
    """Reduce JSON to its shape: dict keys and value types, recursively."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(v) for v in value]
    return type(value).__name__


def test_every_numbered_sample_is_replayed_or_skipped_with_reason() -> None:
    """No recorded sample is silently ignored."""
    numbered = {p.name for p in SAMPLES.glob("[0-9]*.json")}
    assert numbered == set(CASES) | set(SKIPPED)
    assert len(numbered) == 41
    assert all(reason for reason in SKIPPED.values())


async def request(
    server: SimulatedImmich, method: str, path: str, key: str | None, body: Any
) -> tuple[int, Any]:
    """Send one request the way the integration does (no cookies)."""
    headers = {"x-api-key": key} if key else {}
    async with (
        aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar()) as http,
        http.request(method, server.url + path, headers=headers, json=body) as resp,
    ):
        return resp.status, await resp.json()


@pytest.mark.parametrize("sample", sorted(CASES))
async def test_sample(immich: SimulatedImmich, sample: str) -> None:
    """The v3.1 profile answers the recorded request like the real server did."""
    recorded = json.loads((SAMPLES / sample).read_text())
    method, path = recorded["request"].split()[:2]
    setup, key, body, exact = CASES[sample]
    if "body_sent" in recorded:
        assert (
            body == {**PAUSE, **recorded["body_sent"]} or body == recorded["body_sent"]
        )
    setup(immich.model)
    status, answer = await request(immich, method, path, key, body)
    assert status == recorded["status"]
    assert shape(answer) == shape(recorded["body"])
    if status >= 400:
        assert answer["message"] == recorded["body"]["message"]
    if exact:
        assert answer == recorded["body"]


async def test_resume_responses_keep_the_recorded_totals(
    immich: SimulatedImmich,
) -> None:
    """Where bodies differ by timing (35, 52), the jobs add up to the recorded totals."""
    for sample, setup in (
        ("35-put-jobs-resume-thumbnailGeneration.json", paused_with_uploads),
        ("52-resume-midflight-response.json", paused_mid_flight_drained),
    ):
        recorded = json.loads((SAMPLES / sample).read_text())["body"]
        counts = recorded.get("jobCounts") or recorded["statistics"]
        model = ImmichModel()
        setup(model)
        model.resume(THUMB)
        got = model.counts(THUMB)
        assert got.active + got.waiting == counts["active"] + counts["waiting"]
        assert got.paused == counts["paused"] == 0


# --- endpoint / permission matrix per release ---------------------------------------------

# Written out by hand from immich-api.md (not derived from the profiles under test).
V1_139_PLUS = {"v1.139", "v2.3", "v2.4", "v3.1"}
V2_4_PLUS = {"v2.4", "v3.1"}
EVERY = set(PROFILES)
SERVER_INFO_API = {"v1.106"}  # /api/server-info/*: v1.106-v1.112 (gone in v1.113)
SERVER_API = EVERY - {"v1.106"}  # /api/server/*: v1.107+

# method, path, releases that serve it, fine-grained permission, admin only, body
ENDPOINTS: list[tuple[str, str, set[str], str | None, bool, Any]] = [
    ("GET", "/api/server-info/version", SERVER_INFO_API, None, False, None),
    ("GET", "/api/server-info/ping", SERVER_INFO_API, None, False, None),
    ("GET", "/api/server-info/config", SERVER_INFO_API, None, False, None),
    ("GET", "/api/server-info/features", SERVER_INFO_API, None, False, None),
    ("GET", "/api/server-info/about", set(), None, False, None),
    ("GET", "/api/server/version", SERVER_API, None, False, None),
    ("GET", "/api/server/ping", SERVER_API, None, False, None),
    ("GET", "/api/server/config", SERVER_API, None, False, None),
    ("GET", "/api/server/features", SERVER_API, None, False, None),
    ("GET", "/api/server/about", SERVER_API, "server.about", False, None),
    ("GET", "/api/users/me", EVERY, "user.read", False, None),
    ("GET", "/api/api-keys/me", V1_139_PLUS, None, False, None),
    ("GET", "/api/jobs", EVERY, "job.read", True, None),
    ("PUT", f"/api/jobs/{THUMB}", EVERY, "job.create", True, PAUSE),
    ("GET", "/api/queues", V2_4_PLUS, "queue.read", True, None),
    ("GET", f"/api/queues/{THUMB}", V2_4_PLUS, "queue.read", True, None),
    (
        "PUT",
        f"/api/queues/{THUMB}",
        V2_4_PLUS,
        "queue.update",
        True,
        {"isPaused": True},
    ),
]

QUEUE_COUNT = {
    "v1.106": 14,
    "v1.113": 14,
    "v1.136": 15,
    "v1.137": 15,
    "v1.139": 15,
    "v2.3": 17,
    "v2.4": 17,
    "v3.1": 19,
}


def test_release_tables_name_real_profiles() -> None:
    """The hand-written tables cover every profile and name no profile that does not exist."""
    assert set(QUEUE_COUNT) == EVERY
    for _, _, releases, _, _, _ in ENDPOINTS:
        assert releases <= EVERY


@pytest.mark.parametrize(
    ("minor", "server_info", "server"),
    [(106, True, False), (107, True, True), (112, True, True), (113, False, True)],
)
def test_server_routes_overlap_from_v1_107_to_v1_112(
    monkeypatch: pytest.MonkeyPatch, minor: int, server_info: bool, server: bool
) -> None:
    """v1.107 added /api/server/* beside /api/server-info/*, which v1.113 removed.

    No profile sits in between, so a release there is made up for this test alone.
    """
    monkeypatch.setitem(PROFILES, "between", Profile("between", 1, minor))
    paths = {route.path for route in SimulatedImmich("between").routes}
    for name in ("version", "ping", "config", "features"):
        assert (f"/api/server-info/{name}" in paths) is server_info
        assert (f"/api/server/{name}" in paths) is server


def is_public(path: str) -> bool:
    """Tell whether an endpoint needs no credentials."""
    return path.rsplit("/", 1)[1] in {"version", "ping", "config", "features"}


@pytest.mark.parametrize("immich_profile", sorted(PROFILES))
async def test_endpoint_permission_matrix(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """Each release serves its endpoints with its permission and admin rules."""
    narrow = immich.add_key("narrow", permissions=["asset.read"])
    for method, path, releases, permission, admin_only, body in ENDPOINTS:
        label = f"{immich_profile} {method} {path}"
        status, answer = await request(immich, method, path, KEY_ALL, body)
        if immich_profile not in releases:
            assert status == 404, label
            continue
        assert status == 200, label
        if is_public(path):
            assert (await request(immich, method, path, None, body))[0] == 200, label
            continue
        no_key = await request(immich, method, path, None, body)
        assert (no_key[0], no_key[1]["message"]) == (401, "Authentication required"), (
            label
        )

        status, answer = await request(immich, method, path, narrow.secret, body)
        mode = immich.profile.permission_mode
        if permission is None or mode == "admin":
            assert status == 200, label
        else:
            needed = permission if mode == "fine" else "all"
            assert status == 403, label
            assert answer["message"] == f"Missing required permission: {needed}", label
            immich.set_permissions(narrow.secret, [needed])
            assert (await request(immich, method, path, narrow.secret, body))[
                0
            ] == 200, label
            immich.set_permissions(narrow.secret, ["asset.read"])

        status, answer = await request(immich, method, path, KEY_NON_ADMIN, body)
        if admin_only:
            assert (status, answer["message"]) == (403, "Forbidden"), label
        else:
            assert status == 200, label


@pytest.mark.parametrize("immich_profile", sorted(PROFILES))
async def test_queue_set_per_release(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """GET /api/jobs lists the queues of the release."""
    status, body = await request(immich, "GET", "/api/jobs", KEY_ALL, None)
    assert status == 200
    assert len(body) == QUEUE_COUNT[immich_profile]
    assert ("ocr" in body) == (immich_profile in {"v2.3", "v2.4", "v3.1"})
    assert ("editor" in body) == (immich_profile == "v3.1")
    assert ("backupDatabase" in body) == (immich_profile not in {"v1.106", "v1.113"})


@pytest.mark.parametrize("immich_profile", ["v1.106", "v1.137", "v2.4"])
async def test_error_bodies_before_v3(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """v1/v2 errors carry error, statusCode and correlationId besides the message."""
    status, body = await request(immich, "GET", "/api/jobs", "not-a-key", None)
    assert status == 401
    assert set(body) == {"message", "error", "statusCode", "correlationId"}
    assert (body["message"], body["error"], body["statusCode"]) == (
        "Invalid API key",
        "Unauthorized",
        401,
    )
