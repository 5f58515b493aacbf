"""Tests for the simulated Immich HTTP server: behaviour, auth, clock and faults."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from simulator.faults import Fault, another_controller
from simulator.model import METADATA_EXTRACTION, THUMBNAIL_GENERATION
from simulator.server import (
    KEY_ALL,
    KEY_NON_ADMIN,
    KEY_QUEUES,
    KEY_SEED,
    SESSION_ADMIN,
    SESSION_NON_ADMIN,
    SimulatedImmich,
)

THUMB = THUMBNAIL_GENERATION


@pytest.fixture
async def http(immich: SimulatedImmich) -> AsyncIterator[aiohttp.ClientSession]:
    """Yield a cookie-less client session for the simulated server."""
    async with aiohttp.ClientSession(
        base_url=immich.url, cookie_jar=aiohttp.DummyCookieJar()
    ) as session:
        yield session


async def call(
    http: aiohttp.ClientSession,
    method: str,
    path: str,
    key: str | None = KEY_ALL,
    body: Any = None,
    cookies: dict[str, str] | None = None,
) -> tuple[int, Any]:
    """Send one request and return status and parsed JSON."""
    headers = {"x-api-key": key} if key else {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    async with http.request(method, path, headers=headers, json=body) as resp:
        return resp.status, await resp.json(content_type=None)


async def test_start_gives_ephemeral_loopback_url(immich: SimulatedImmich) -> None:
    """The server listens on 127.0.0.1 with a real port."""
    assert immich.url.startswith("http://127.0.0.1:")
    assert int(immich.url.rsplit(":", 1)[1]) > 0


async def test_requests_are_recorded_with_key_status_and_model_time(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """Every request is recorded so benchmarks can count them."""
    immich.model.advance_to(12.5)
    await call(http, "GET", "/api/jobs", KEY_SEED)
    await call(http, "GET", "/api/queues", KEY_SEED)
    first, second = immich.requests
    assert (first.method, first.path, first.key_name, first.status, first.time) == (
        "GET",
        "/api/jobs",
        "seed",
        200,
        12.5,
    )
    assert second.status == 403
    assert immich.count("GET", "/api/jobs") == 1


async def test_legacy_pause_mid_flight_reports_paused_and_active(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """Pausing mid-flight answers isPaused with isActive still true (sample 50)."""
    immich.model.enqueue(THUMB, 41, kind="photo")
    status, body = await call(
        http, "PUT", f"/api/jobs/{THUMB}", body={"command": "pause", "force": False}
    )
    assert status == 200
    assert body == {
        "queueStatus": {"isPaused": True, "isActive": True},
        "jobCounts": {
            "active": 3,
            "completed": 0,
            "failed": 0,
            "delayed": 0,
            "waiting": 0,
            "paused": 38,
        },
    }
    immich.model.advance(1.0)
    status, body = await call(
        http, "PUT", f"/api/queues/{THUMB}", body={"isPaused": False}
    )
    assert status == 200
    assert body["statistics"]["waiting"] == 35
    assert body["statistics"]["paused"] == 0


async def test_start_refused_while_running(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """Start on a busy queue is a 400 with Immich's message."""
    immich.model.enqueue(THUMB, 1, duration=10)
    status, body = await call(
        http, "PUT", f"/api/jobs/{THUMB}", body={"command": "start", "force": False}
    )
    assert (status, body) == (400, {"message": "Job is already running"})
    status, body = await call(
        http,
        "PUT",
        "/api/jobs/backgroundTask",
        body={"command": "start", "force": False},
    )
    assert (status, body) == (400, {"message": "Invalid job name: backgroundTask"})


async def test_empty_and_clear_failed_commands(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """Empty drops the backlog; clear-failed zeroes failed."""
    immich.model.pause(THUMB)
    immich.model.enqueue(THUMB, 5)
    immich.model.inject_failed(THUMB, 2)
    _, body = await call(http, "PUT", f"/api/jobs/{THUMB}", body={"command": "empty"})
    assert body["jobCounts"]["paused"] == 0
    _, body = await call(
        http, "PUT", f"/api/jobs/{THUMB}", body={"command": "clear-failed"}
    )
    assert body["jobCounts"]["failed"] == 0


@pytest.mark.parametrize("immich_profile", ["v2.4"])
async def test_v2_errors_carry_error_status_code_and_correlation_id(
    http: aiohttp.ClientSession,
) -> None:
    """v1/v2 error bodies add error/statusCode/correlationId; validation lists strings."""
    status, body = await call(http, "GET", "/api/jobs", KEY_NON_ADMIN)
    assert status == 403
    assert body["message"] == "Forbidden"
    assert (body["error"], body["statusCode"]) == ("Forbidden", 403)
    assert isinstance(body["correlationId"], str)
    status, body = await call(http, "PUT", f"/api/jobs/{THUMB}", body={"command": "go"})
    assert status == 400
    assert body["message"] == [
        "command must be one of the following values: start, pause, resume, empty, clear-failed"
    ]


@pytest.mark.parametrize("immich_profile", ["v1.106"])
async def test_v1_106_requires_force_and_names_param_id(
    http: aiohttp.ClientSession,
) -> None:
    """v1.106 requires ``force`` and calls the path parameter ``id``."""
    status, body = await call(
        http, "PUT", f"/api/jobs/{THUMB}", body={"command": "pause"}
    )
    assert (status, body["message"]) == (400, ["force must be a boolean value"])
    status, body = await call(
        http, "PUT", "/api/jobs/ocr", body={"command": "pause", "force": False}
    )
    assert status == 400
    assert body["message"][0].startswith("id must be one of the following values: ")


async def test_session_cookie_overrides_the_api_key(
    http: aiohttp.ClientSession,
) -> None:
    """Immich checks the session cookie before the key: a stray cookie changes identity."""
    status, body = await call(
        http,
        "GET",
        "/api/jobs",
        KEY_ALL,
        cookies={"immich_access_token": SESSION_NON_ADMIN},
    )
    assert (status, body) == (403, {"message": "Forbidden"})
    status, body = await call(
        http, "GET", "/api/jobs", KEY_ALL, cookies={"immich_access_token": "stale"}
    )
    assert (status, body) == (401, {"message": "Invalid user token"})
    status, _ = await call(
        http,
        "GET",
        "/api/jobs",
        "bad-key",
        cookies={"immich_access_token": SESSION_ADMIN},
    )
    assert status == 200


async def test_key_revoked_at_model_time(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """A key revoked at T works before T and gets 401 after."""
    immich.revoke_key(KEY_QUEUES, at=60.0)
    assert (await call(http, "GET", "/api/queues", KEY_QUEUES))[0] == 200
    immich.model.advance_to(60.0)
    assert await call(http, "GET", "/api/queues", KEY_QUEUES) == (
        401,
        {"message": "Invalid API key"},
    )


async def test_permissions_and_admin_rights_removed(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """Taking a permission or admin rights away turns 200 into 403."""
    immich.set_permissions(KEY_QUEUES, ["job.read"])
    assert await call(http, "GET", "/api/queues", KEY_QUEUES) == (
        403,
        {"message": "Missing required permission: queue.read"},
    )
    immich.set_admin(KEY_SEED, False)
    assert await call(http, "GET", "/api/jobs", KEY_SEED) == (
        403,
        {"message": "Forbidden"},
    )
    assert (await call(http, "GET", "/api/jobs", KEY_ALL))[0] == 200


async def test_maintenance_mode_hides_jobs_and_queues(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """In maintenance, config says so and job/queue routes are not served (404)."""
    immich.set_maintenance(True)
    status, config = await call(http, "GET", "/api/server/config", None)
    assert (status, config["maintenanceMode"]) == (200, True)
    assert (await call(http, "GET", "/api/server/version", None))[0] == 200
    assert await call(http, "GET", "/api/jobs") == (
        404,
        {"message": "Cannot GET /api/jobs"},
    )
    assert (await call(http, "GET", "/api/queues"))[0] == 404
    immich.set_maintenance(False)
    assert (await call(http, "GET", "/api/jobs"))[0] == 200


def test_maintenance_mode_needs_v2_3() -> None:
    """Releases before v2.3 have no maintenance mode."""
    with pytest.raises(ValueError, match="no maintenance mode"):
        SimulatedImmich("v1.137").set_maintenance(True)


async def test_restart_downtime_then_pause_state_kept_except_metadata(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """A restart answers 502 from the proxy while down; pause survives except metadata."""
    immich.model.pause(THUMB)
    immich.model.pause(METADATA_EXTRACTION)
    immich.restart(downtime=20.0)
    async with http.get("/api/jobs", headers={"x-api-key": KEY_ALL}) as resp:
        assert resp.status == 502
        assert resp.content_type == "text/html"
    immich.model.advance(20.0)
    status, body = await call(http, "GET", "/api/jobs")
    assert status == 200
    assert body[THUMB]["queueStatus"]["isPaused"] is True
    assert body[METADATA_EXTRACTION]["queueStatus"]["isPaused"] is False


async def test_real_clock_follows_monotonic_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """clock="real" advances the model to wall-clock time (scaled) before answering."""
    now = [1000.0]
    monkeypatch.setattr("simulator.server.time.monotonic", lambda: now[0])
    server = SimulatedImmich(clock="real", speed=2.0)
    server.model.enqueue(THUMB, 1, duration=5.0)
    server._started_wall = now[0]  # noqa: SLF001 - as start() would set it
    now[0] += 3.0
    server.sync_clock()
    assert server.model.now == 6.0
    assert server.model.counts(THUMB).active == 0


async def test_real_clock_ticks_in_background(
    monkeypatch: pytest.MonkeyPatch, socket_enabled: None
) -> None:
    """The background ticker and each request bring the model up to wall-clock time."""
    now = [500.0]
    monkeypatch.setattr("simulator.server.time.monotonic", lambda: now[0])
    server = SimulatedImmich(clock="real", tick=0.0)
    await server.start()
    try:
        now[0] += 7.0
        while server.model.now < 7.0:
            await asyncio.sleep(0)
        assert server.model.now == 7.0
        now[0] += 1.0
        async with (
            aiohttp.ClientSession() as http,
            http.get(server.url + "/api/server/ping") as resp,
        ):
            assert resp.status == 200
        assert server.requests[-1].time == 8.0
    finally:
        await server.stop()


async def test_manual_clock_never_moves_by_itself(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """With the default manual clock, requests do not advance model time."""
    immich.model.enqueue(THUMB, 1, duration=0.001)
    await call(http, "GET", "/api/jobs")
    assert immich.model.now == 0.0
    assert immich.model.counts(THUMB).active == 1


# --- faults -------------------------------------------------------------------------------


async def test_fault_status_fires_count_times(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """A 5xx fault answers ``count`` times with Immich's error body, then stops."""
    immich.faults.add(Fault(kind="status", status=500, count=2))
    assert (await call(http, "GET", "/api/jobs"))[0] == 500
    assert (await call(http, "GET", "/api/jobs"))[0] == 500
    assert (await call(http, "GET", "/api/jobs"))[0] == 200
    assert [r.status for r in immich.requests] == [500, 500, 200]


async def test_fault_html_with_status_200(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """A proxy's HTML page, even with 200, is not JSON."""
    immich.faults.add(Fault(kind="html", status=200))
    async with http.get("/api/jobs", headers={"x-api-key": KEY_ALL}) as resp:
        assert resp.status == 200
        assert resp.content_type == "text/html"
        assert "<html>" in await resp.text()


async def test_fault_malformed_and_wrong_shape_json(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """Malformed JSON does not parse; wrong-shape JSON parses to something else."""
    immich.faults.add(Fault(kind="malformed_json"))
    async with http.get("/api/jobs", headers={"x-api-key": KEY_ALL}) as resp:
        with pytest.raises(ValueError):
            await resp.json()
    immich.faults.add(Fault(kind="wrong_shape"))
    status, body = await call(http, "GET", "/api/jobs")
    assert status == 200
    assert isinstance(body, list)


async def test_fault_drop_cuts_the_body(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """A dropped connection mid-body surfaces as a payload error; recorded with no status."""
    immich.faults.add(Fault(kind="drop"))
    with pytest.raises(aiohttp.ClientPayloadError):
        await call(http, "GET", "/api/jobs")
    assert immich.requests[-1].status is None
    assert (await call(http, "GET", "/api/jobs"))[0] == 200


@pytest.mark.parametrize("kind", ["hang", "delay"])
async def test_fault_hang_waits_until_released(
    immich: SimulatedImmich, http: aiohttp.ClientSession, kind: Any
) -> None:
    """A hanging response stays pending until the test releases it."""
    fault = immich.faults.add(Fault(kind=kind, delay=3600.0))
    task = asyncio.create_task(call(http, "GET", "/api/jobs"))
    while fault.hits == 0:
        await asyncio.sleep(0)
    for _ in range(20):
        await asyncio.sleep(0)
    assert not task.done()
    immich.faults.release()
    assert (await task)[0] == 200


async def test_fault_scoped_to_commands_spares_reads(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """Faults can target commands only (or reads only)."""
    immich.faults.add(Fault(kind="status", status=503, scope="commands", count=None))
    assert (await call(http, "GET", "/api/jobs"))[0] == 200
    status, _ = await call(http, "PUT", f"/api/queues/{THUMB}", body={"isPaused": True})
    assert status == 503
    immich.faults.clear()
    immich.faults.add(
        Fault(kind="status", status=502, scope="reads", path_prefix="/api/queues")
    )
    assert (await call(http, "GET", "/api/jobs"))[0] == 200
    assert (await call(http, "GET", "/api/queues"))[0] == 502


async def test_another_controller_flips_queues_back(
    immich: SimulatedImmich, http: aiohttp.ClientSession
) -> None:
    """A rival controller re-pauses a queue we resumed, on its own schedule."""
    another_controller(
        immich.model, [THUMB], paused=True, start=5.0, every=10.0, until=60.0
    )
    immich.model.advance_to(5.0)
    _, body = await call(http, "PUT", f"/api/queues/{THUMB}", body={"isPaused": False})
    assert body["isPaused"] is False
    immich.model.advance_to(15.0)
    _, body = await call(http, "GET", f"/api/queues/{THUMB}")
    assert body["isPaused"] is True


def test_demo_lists_keys_and_what_each_can_do() -> None:
    """``python -m simulator`` prints every accepted key with its rights, per release."""
    from simulator.__main__ import describe_keys  # noqa: PLC0415

    lines = describe_keys(SimulatedImmich("v3.1"))
    seed = next(line for line in lines if line.strip().startswith(KEY_SEED))
    assert "permissions: job.read, job.create" in seed
    non_admin = next(line for line in lines if line.strip().startswith(KEY_NON_ADMIN))
    assert "NOT admin" in non_admin
    old = describe_keys(SimulatedImmich("v1.106"))
    assert all("not checked before v1.136" in line for line in old)
