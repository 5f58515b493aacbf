"""The client against the simulated Immich, on every supported release profile.

Each test runs once per profile in ``simulator.profiles.PROFILES`` (v1.106 to v3.1): version
detection, reads, commands, the key access report, and every injected fault mapped to its error.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web
import pytest

from custom_components.immich_jobs.immich import (
    ApiGeneration,
    CannotConnect,
    CommandRejected,
    ImmichClient,
    ImmichError,
    InvalidAuth,
    InvalidResponse,
    KeyAccess,
    MaintenanceMode,
    MissingPermission,
    NotAdmin,
    ServerVersion,
    Unsupported,
)
from simulator.faults import Fault
from simulator.profiles import PROFILES
from simulator.server import (
    KEY_ALL,
    KEY_NO_QUEUE_PERMS,
    KEY_NON_ADMIN,
    KEY_QUEUE_READ_ONLY,
    KEY_READ_ONLY,
    KEY_SEED,
    SESSION_COOKIE,
    SESSION_NON_ADMIN,
    SimulatedImmich,
)
from tests.timers import after

ALL_PROFILES = list(PROFILES)
every_profile = pytest.mark.parametrize("immich_profile", ALL_PROFILES)
THUMBS = "thumbnailGeneration"


def client(
    immich: SimulatedImmich,
    session: aiohttp.ClientSession,
    key: str = KEY_ALL,
    *,
    timeout: float = 10.0,
) -> ImmichClient:
    """Build a client for the simulator."""
    return ImmichClient(session, immich.url, key, timeout=timeout)


@pytest.fixture
def api(immich: SimulatedImmich, session: aiohttp.ClientSession) -> ImmichClient:
    """Give a client with the all-permissions key that has sent nothing yet."""
    return client(immich, session)


@pytest.fixture
async def warm_api(api: ImmichClient) -> ImmichClient:
    """Give a client that knows the release already: its next request is the one tested."""
    await api.async_get_queues()
    return api


def new_api(immich: SimulatedImmich) -> bool:
    """Tell whether the simulated release has /api/queues."""
    return immich.profile.has_queues_api


# ---- version ----------------------------------------------------------------------------------


@every_profile
async def test_version_detected(immich: SimulatedImmich, api: ImmichClient) -> None:
    """Each release reports its own version, through the route it has."""
    version = await api.async_get_version()
    profile = immich.profile
    assert version == ServerVersion(profile.major, profile.minor, profile.patch)
    assert str(version) == f"v{profile.major}.{profile.minor}.{profile.patch}"
    assert immich.requests[-1].key is None


@every_profile
async def test_server_info(immich: SimulatedImmich, api: ImmichClient) -> None:
    """Config and features are read on every release, maintenance off."""
    info = await api.async_get_server_info()
    assert info.maintenance_mode is False
    assert "map" in info.features
    assert "smartSearch" not in info.features


# ---- reading ----------------------------------------------------------------------------------


@every_profile
async def test_read_queues(immich: SimulatedImmich, api: ImmichClient) -> None:
    """Every queue of the release is read, through /api/queues where it exists."""
    immich.model.enqueue(THUMBS, 4)
    immich.model.pause("videoConversion")
    immich.model.enqueue("videoConversion", 2)
    snapshot = await api.async_get_queues()
    assert set(snapshot) == set(immich.profile.queues)
    thumbs = snapshot[THUMBS]
    assert thumbs.active + thumbs.waiting == 4
    assert thumbs.busy
    video = snapshot["videoConversion"]
    assert video.is_paused
    assert (video.paused, video.waiting) == (2, 0)
    assert immich.count("GET", "/api/queues") == (1 if new_api(immich) else 0)
    assert immich.count("GET", "/api/jobs") == (0 if new_api(immich) else 1)


@every_profile
async def test_read_with_seed_key(
    immich: SimulatedImmich, session: aiohttp.ClientSession
) -> None:
    """job.read + job.create reads through /api/jobs; v1.136 wants `all`."""
    api = client(immich, session, KEY_SEED)
    if immich.profile.permission_mode == "all":
        with pytest.raises(MissingPermission) as err:
            await api.async_get_queues()
        assert err.value.permission == "all"
        return
    snapshot = await api.async_get_queues()
    assert set(snapshot) == set(immich.profile.queues)
    assert immich.count("GET", "/api/queues") == 0


# ---- commands ---------------------------------------------------------------------------------


@every_profile
@pytest.mark.parametrize("key", [KEY_ALL, KEY_SEED])
async def test_pause_and_resume(
    immich: SimulatedImmich, session: aiohttp.ClientSession, key: str
) -> None:
    """Pause then resume change Immich's state; the endpoint follows the key's rights."""
    immich.model.enqueue(THUMBS, 10)
    api = client(immich, session, key)
    if immich.profile.permission_mode == "all" and key == KEY_SEED:
        # v1.136 wants `all` for every job endpoint.
        with pytest.raises(MissingPermission) as err:
            await api.async_pause(THUMBS)
        assert err.value.permission == "all"
        assert not immich.model.counts(THUMBS).is_paused
        return
    paused = await api.async_pause(THUMBS)
    assert paused.is_paused
    assert immich.model.counts(THUMBS).is_paused
    assert paused.active > 0  # running jobs are not interrupted
    resumed = await api.async_resume(THUMBS)
    assert not resumed.is_paused
    assert not immich.model.counts(THUMBS).is_paused
    via_queues = new_api(immich) and key == KEY_ALL
    assert immich.count("PUT", f"/api/queues/{THUMBS}") == (2 if via_queues else 0)
    assert immich.count("PUT", f"/api/jobs/{THUMBS}") == (0 if via_queues else 2)


@every_profile
async def test_set_paused_is_idempotent(
    immich: SimulatedImmich, api: ImmichClient
) -> None:
    """Pausing a paused queue is harmless."""
    await api.async_set_paused(THUMBS, True)
    assert (await api.async_set_paused(THUMBS, True)).is_paused


@every_profile
@pytest.mark.parametrize("force", [False, True])
async def test_start(immich: SimulatedImmich, api: ImmichClient, force: bool) -> None:
    """Start queues a run; a second start while it runs is refused with Immich's words."""
    queue = await api.async_start(THUMBS, force=force)
    assert queue.has_work
    assert immich.count("PUT", f"/api/jobs/{THUMBS}") == 1
    with pytest.raises(CommandRejected) as err:
        await api.async_start(THUMBS, force=force)
    assert err.value.message == "Job is already running"
    assert err.value.queue == THUMBS


@every_profile
async def test_start_does_not_resume(
    immich: SimulatedImmich, api: ImmichClient
) -> None:
    """On a paused queue, start only queues work."""
    await api.async_pause(THUMBS)
    queue = await api.async_start(THUMBS)
    assert queue.is_paused
    assert queue.paused == 1
    assert queue.active == 0


@every_profile
async def test_start_without_handler(
    immich: SimulatedImmich, api: ImmichClient
) -> None:
    """Queues without a run are refused with Immich's message."""
    with pytest.raises(CommandRejected) as err:
        await api.async_start("backgroundTask")
    assert err.value.message == "Invalid job name: backgroundTask"


@every_profile
async def test_unknown_queue_rejected(
    immich: SimulatedImmich, session: aiohttp.ClientSession
) -> None:
    """A queue the release does not have is a validation error in both error styles."""
    with pytest.raises(CommandRejected) as err:
        await client(
            immich, session, KEY_SEED if new_api(immich) else KEY_ALL
        ).async_pause("noSuchQueue")
    assert err.value.message
    assert err.value.details


@every_profile
async def test_clear_failed(immich: SimulatedImmich, api: ImmichClient) -> None:
    """Failed jobs are removed."""
    immich.model.inject_failed(THUMBS, 3)
    assert (await api.async_get_queues())[THUMBS].failed == 3
    assert (await api.async_clear_failed(THUMBS)).failed == 0
    assert immich.model.counts(THUMBS).failed == 0


@pytest.mark.parametrize("immich_profile", ["v2.4", "v3.1"])
async def test_background_task_cannot_be_paused_new_api(
    immich: SimulatedImmich, api: ImmichClient
) -> None:
    """The new API refuses to pause backgroundTask; the message reaches the caller."""
    with pytest.raises(CommandRejected) as err:
        await api.async_pause("backgroundTask")
    assert err.value.message == "The BackgroundTask queue cannot be paused"
    assert not immich.model.counts("backgroundTask").is_paused


# ---- key access -------------------------------------------------------------------------------


def _expect(
    profile: str, key: str
) -> tuple[tuple[str, ...], tuple[str, ...], bool | None]:
    """Return (missing_read, missing_control, is_admin) the report must give."""
    mode = PROFILES[profile].permission_mode
    if key == KEY_NON_ADMIN:
        return (), (), False
    if key == KEY_ALL or mode == "admin":
        return (), (), True
    if mode == "all":
        return ("all",), ("all",), None
    if key == KEY_SEED:
        return (), (), True
    return (), ("job.create",), True  # KEY_READ_ONLY: job.read only


@every_profile
@pytest.mark.parametrize("key", [KEY_ALL, KEY_SEED, KEY_READ_ONLY, KEY_NON_ADMIN])
async def test_access_report(
    immich: SimulatedImmich,
    session: aiohttp.ClientSession,
    immich_profile: str,
    key: str,
) -> None:
    """The report names what is missing, admin rights, and the API to be used."""
    before = immich.model.snapshot()
    access = await client(immich, session, key).async_get_access()
    missing_read, missing_control, is_admin = _expect(immich_profile, key)
    assert access.missing_read == missing_read
    assert access.missing_control == missing_control
    assert access.is_admin is is_admin
    assert access.version.at_least(immich.profile.major, immich.profile.minor)
    full_new = new_api(immich) and key in (KEY_ALL, KEY_NON_ADMIN)
    assert access.read_api is (
        ApiGeneration.QUEUES if full_new else ApiGeneration.LEGACY
    )
    assert access.control_api is access.read_api
    if immich.profile.has_api_keys_me:
        assert access.permissions is not None
    else:
        assert access.permissions is None
    # No probe ever changes Immich's state.
    assert immich.model.snapshot() == before


@every_profile
async def test_access_report_is_honest(
    immich: SimulatedImmich, session: aiohttp.ClientSession
) -> None:
    """What the report promises for a read-only key is what Immich then does."""
    api = client(immich, session, KEY_READ_ONLY)
    access = await api.async_get_access()
    if access.can_read:
        await api.async_get_queues()
    else:
        with pytest.raises(MissingPermission):
            await api.async_get_queues()
    if access.can_control:
        await api.async_pause(THUMBS)
    else:
        with pytest.raises(MissingPermission) as err:
            await api.async_pause(THUMBS)
        assert (err.value.permission,) == access.missing_control


@pytest.mark.parametrize("immich_profile", ["v2.4", "v3.1"])
@pytest.mark.parametrize(
    ("key", "missing_read", "missing_control", "is_admin", "read_api"),
    [
        (KEY_QUEUE_READ_ONLY, (), ("job.create",), True, ApiGeneration.QUEUES),
        (
            KEY_NO_QUEUE_PERMS,
            ("job.read",),
            ("job.create",),
            None,
            ApiGeneration.LEGACY,
        ),
    ],
)
async def test_access_other_keys_new_api(
    immich: SimulatedImmich,
    session: aiohttp.ClientSession,
    key: str,
    missing_read: tuple[str, ...],
    missing_control: tuple[str, ...],
    is_admin: bool | None,
    read_api: ApiGeneration,
) -> None:
    """Keys made for other purposes are described exactly."""
    access = await client(immich, session, key).async_get_access()
    assert access == KeyAccess(
        version=access.version,
        is_admin=is_admin,
        permissions=access.permissions,
        missing_read=missing_read,
        missing_control=missing_control,
        read_api=read_api,
        control_api=ApiGeneration.LEGACY,
    )


@every_profile
async def test_user(immich: SimulatedImmich, session: aiohttp.ClientSession) -> None:
    """users/me is read with an `all` key, and is None for a seed key from v1.136 on."""
    user = await client(immich, session).async_get_user()
    assert user is not None
    assert user.is_admin
    assert user.email == "admin@example.test"
    seed_user = await client(immich, session, KEY_SEED).async_get_user()
    assert (seed_user is None) is (immich.profile.permission_mode != "admin")


# ---- faults -----------------------------------------------------------------------------------


def _fault_id(value: object) -> str | None:
    """Name a fault case after its kind and status."""
    if isinstance(value, dict):
        return f"{value['kind']}{value.get('status', '')}"
    return None


# (fault, error on the legacy API, error on /api/queues); None = the read succeeds. On v2.4+
# a 404 or a missing queue.read on /api/queues sends the client to /api/jobs, which works.
READ_FAULTS: list[
    tuple[dict[str, Any], type[ImmichError] | None, type[ImmichError] | None]
] = [
    ({"kind": "status", "status": 500}, InvalidResponse, InvalidResponse),
    ({"kind": "status", "status": 502}, InvalidResponse, InvalidResponse),
    ({"kind": "status", "status": 503}, InvalidResponse, InvalidResponse),
    ({"kind": "status", "status": 504}, InvalidResponse, InvalidResponse),
    (
        {"kind": "status", "status": 401, "body": "Invalid API key"},
        InvalidAuth,
        InvalidAuth,
    ),
    ({"kind": "status", "status": 403, "body": "Forbidden"}, NotAdmin, NotAdmin),
    (
        {
            "kind": "status",
            "status": 403,
            "body": "Missing required permission: x.read",
        },
        MissingPermission,
        None,
    ),
    ({"kind": "status", "status": 404}, Unsupported, None),
    ({"kind": "html", "status": 200}, InvalidResponse, InvalidResponse),
    ({"kind": "html", "status": 502}, InvalidResponse, InvalidResponse),
    ({"kind": "html", "status": 504}, InvalidResponse, InvalidResponse),
    ({"kind": "html", "status": 401}, InvalidAuth, InvalidAuth),
    ({"kind": "malformed_json"}, InvalidResponse, InvalidResponse),
    ({"kind": "wrong_shape"}, InvalidResponse, InvalidResponse),
    ({"kind": "wrong_shape", "body": '"ok"'}, InvalidResponse, InvalidResponse),
    ({"kind": "wrong_shape", "body": "null"}, InvalidResponse, InvalidResponse),
    ({"kind": "drop"}, CannotConnect, CannotConnect),
]


@every_profile
@pytest.mark.parametrize(
    ("fault", "legacy_error", "new_error"), READ_FAULTS, ids=_fault_id
)
async def test_read_faults(
    immich: SimulatedImmich,
    warm_api: ImmichClient,
    fault: dict[str, Any],
    legacy_error: type[ImmichError] | None,
    new_error: type[ImmichError] | None,
) -> None:
    """Every injected read fault maps to its error; nothing else escapes."""
    injected = immich.faults.add(Fault(**fault))
    error = new_error if new_api(immich) else legacy_error
    if error is None:
        assert await warm_api.async_get_queues()
        assert immich.requests[-1].path == "/api/jobs"
    else:
        with pytest.raises(error):
            await warm_api.async_get_queues()
    assert injected.hits == 1
    # The fault fired once: the next read works again.
    assert await warm_api.async_get_queues()


@every_profile
async def test_empty_queue_object_is_valid(
    immich: SimulatedImmich, warm_api: ImmichClient
) -> None:
    """An empty answer of the right type is a server without queues, not an error."""
    immich.faults.add(Fault(kind="wrong_shape", body="[]" if new_api(immich) else "{}"))
    assert await warm_api.async_get_queues() == {}


@every_profile
@pytest.mark.parametrize(
    ("fault", "error"),
    [
        ({"kind": "status", "status": 500}, InvalidResponse),
        ({"kind": "status", "status": 401}, InvalidAuth),
        ({"kind": "html", "status": 502}, InvalidResponse),
        ({"kind": "malformed_json"}, InvalidResponse),
        ({"kind": "wrong_shape"}, InvalidResponse),
        ({"kind": "drop"}, CannotConnect),
        (
            {"kind": "status", "status": 400, "body": "Job is already running"},
            CommandRejected,
        ),
    ],
    ids=_fault_id,
)
@pytest.mark.parametrize("command", ["pause", "resume", "start", "clear_failed"])
async def test_command_faults(
    immich: SimulatedImmich,
    warm_api: ImmichClient,
    fault: dict[str, Any],
    error: type[ImmichError],
    command: str,
) -> None:
    """Faults on every command map to the same taxonomy."""
    injected = immich.faults.add(Fault(scope="commands", **fault))
    with pytest.raises(error):
        await getattr(warm_api, f"async_{command}")(THUMBS)
    assert injected.hits == 1


@every_profile
async def test_hang_times_out(immich: SimulatedImmich, warm_api: ImmichClient) -> None:
    """A server that never answers trips the client's 10 s timeout; no waiting involved."""
    hang = immich.faults.add(Fault(kind="hang"))
    with pytest.raises(CannotConnect) as err:
        await after(11, warm_api.async_get_queues(), lambda: hang.hits > 0)
    immich.faults.release()
    assert err.value.reason == "timeout"
    assert await warm_api.async_get_queues()


@every_profile
async def test_server_gone(immich: SimulatedImmich, warm_api: ImmichClient) -> None:
    """A stopped server is CannotConnect."""
    await immich.stop()
    with pytest.raises(CannotConnect):
        await warm_api.async_get_queues()


@every_profile
async def test_restart_behind_proxy(
    immich: SimulatedImmich, warm_api: ImmichClient
) -> None:
    """While Immich restarts the proxy's 502 page is InvalidResponse; then reads resume."""
    immich.restart(downtime=30)
    with pytest.raises(InvalidResponse) as err:
        await warm_api.async_get_queues()
    assert err.value.status == 502
    immich.model.advance(31)
    assert await warm_api.async_get_queues()


@every_profile
async def test_revoked_key(immich: SimulatedImmich, warm_api: ImmichClient) -> None:
    """A key revoked while in use is InvalidAuth (reauth)."""
    immich.revoke_key(KEY_ALL)
    with pytest.raises(InvalidAuth) as err:
        await warm_api.async_get_queues()
    assert err.value.message == "Invalid API key"
    with pytest.raises(InvalidAuth):
        await warm_api.async_pause(THUMBS)


@every_profile
async def test_unknown_key(
    immich: SimulatedImmich, session: aiohttp.ClientSession
) -> None:
    """A key Immich does not know is InvalidAuth on every path, including the report."""
    api = client(immich, session, "not-a-real-key")
    with pytest.raises(InvalidAuth):
        await api.async_get_access()
    with pytest.raises(InvalidAuth):
        await api.async_get_queues()


@every_profile
async def test_admin_rights_lost(
    immich: SimulatedImmich, warm_api: ImmichClient
) -> None:
    """The key's user losing admin rights is NotAdmin, not a permission to add."""
    immich.set_admin(KEY_ALL, False)
    with pytest.raises(NotAdmin):
        await warm_api.async_get_queues()
    assert (await warm_api.async_get_access()).is_admin is False


@every_profile
async def test_permissions_narrowed(
    immich: SimulatedImmich, warm_api: ImmichClient
) -> None:
    """A key narrowed to job.read + job.create keeps working (legacy endpoints)."""
    immich.set_permissions(KEY_ALL, ["job.read", "job.create"])
    if immich.profile.permission_mode == "all":
        with pytest.raises(MissingPermission):
            await warm_api.async_get_queues()
        return
    assert await warm_api.async_get_queues()
    assert (await warm_api.async_pause(THUMBS)).is_paused
    assert immich.model.counts(THUMBS).is_paused


@pytest.mark.parametrize("immich_profile", ["v2.3", "v2.4", "v3.1"])
async def test_maintenance_mode(
    immich: SimulatedImmich, warm_api: ImmichClient
) -> None:
    """In maintenance, reads, commands and the report say so; afterwards all works again."""
    immich.set_maintenance(True)
    with pytest.raises(MaintenanceMode):
        await warm_api.async_get_queues()
    with pytest.raises(MaintenanceMode):
        await warm_api.async_pause(THUMBS)
    with pytest.raises(MaintenanceMode):
        await warm_api.async_get_access()
    assert (await warm_api.async_get_server_info()).maintenance_mode
    immich.set_maintenance(False)
    await warm_api.async_get_queues()
    # Maintenance did not push the client off the new API for good.
    expected = 1 if new_api(immich) else 0
    assert immich.requests[-1].path == ("/api/queues" if expected else "/api/jobs")


# ---- cookies ----------------------------------------------------------------------------------


class _CookieSettingImmich(SimulatedImmich):
    """The simulator, plus a non-admin's session cookie set on every answer.

    Immich sets `immich_access_token` when a browser logs in; a shared session that kept it
    would act as that user instead of the key's.
    """

    @web.middleware
    async def _middleware(self, request, handler):  # type: ignore[no-untyped-def]
        response = await super()._middleware(request, handler)
        response.set_cookie(SESSION_COOKIE, SESSION_NON_ADMIN)
        return response


@pytest.fixture
async def cookie_immich(socket_enabled: None) -> AsyncIterator[SimulatedImmich]:
    """Run a v3.1 simulator that hands out a session cookie."""
    server = _CookieSettingImmich("v3.1")
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_cookie_is_honoured_by_immich(cookie_immich: SimulatedImmich) -> None:
    """Control: sent back, the cookie replaces the key's identity (a non-admin's)."""
    async with (
        aiohttp.ClientSession() as plain,
        plain.get(
            f"{cookie_immich.url}/api/jobs",
            headers={"x-api-key": KEY_ALL},
            cookies={SESSION_COOKIE: SESSION_NON_ADMIN},
        ) as response,
    ):
        assert response.status == 403


@pytest.mark.parametrize(
    "jar", [aiohttp.DummyCookieJar, lambda: aiohttp.CookieJar(unsafe=True)]
)
async def test_cookie_set_by_server_is_not_sent_back(
    cookie_immich: SimulatedImmich, jar: type[aiohttp.abc.AbstractCookieJar]
) -> None:
    """The client sends no cookie back, with the integration's jar and even with a real one."""
    async with aiohttp.ClientSession(cookie_jar=jar()) as jar_session:
        api = ImmichClient(jar_session, cookie_immich.url, KEY_ALL)
        await api.async_get_queues()
        await api.async_get_queues()
        assert (await api.async_pause(THUMBS)).is_paused
        assert (await api.async_get_access()).is_admin is True
    assert all(r.key == KEY_ALL for r in cookie_immich.requests if r.key is not None)
