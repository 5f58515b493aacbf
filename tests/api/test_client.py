"""The client against a fake Immich serving recorded answers and protocol oddities."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import logging
import socket

import aiohttp
from aiohttp import web
import pytest

from custom_components.immich_jobs.immich import (
    MAX_BODY_BYTES,
    ApiGeneration,
    CannotConnect,
    CommandRejected,
    Forbidden,
    ImmichClient,
    ImmichError,
    InvalidAuth,
    InvalidResponse,
    InvalidUrl,
    MaintenanceMode,
    MissingPermission,
    NotAdmin,
    NotImmich,
    ServerVersion,
    TooOld,
    Unsupported,
)
from tests.timers import after

from .conftest import FakeImmich
from .samples import body

KEY = "k3yS3cretValue0123456789"


def client_for(
    fake: FakeImmich, session: aiohttp.ClientSession, *, timeout: float = 10.0
) -> ImmichClient:
    """Build a client for the fake, with the URL as a user would paste it."""
    return ImmichClient(session, fake.url + "api/", KEY, timeout=timeout)


@pytest.fixture
def client(fake: FakeImmich, session: aiohttp.ClientSession) -> ImmichClient:
    """Give a client for the fake that has sent nothing yet."""
    return client_for(fake, session)


def v31(fake: FakeImmich, key_sample: str = "79-get-api-keys-me-all-key") -> None:
    """Serve a v3.1 server whose key has the permissions of a recorded key."""
    fake.replay("70-get-server-version")
    fake.replay(key_sample)


# ---- version --------------------------------------------------------------------------------


async def test_version_v3_without_credentials(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """The version is public: the key is not sent for it."""
    fake.replay("70-get-server-version")
    assert client.version is None
    version = await client.async_get_version()
    assert version == ServerVersion(3, 1, 0)
    assert client.version == version
    assert client.base_url == fake.url.rstrip("/")
    assert "x-api-key" not in {k.lower() for k in fake.requests[0].headers}


async def test_version_v1_106_fallback(fake: FakeImmich, client: ImmichClient) -> None:
    """v1.106 only has /api/server-info/version."""
    fake.version(1, 106, 4)
    version = await client.async_get_version()
    assert version == ServerVersion(1, 106, 4)
    assert fake.paths() == ["GET /api/server/version", "GET /api/server-info/version"]


async def test_version_absent(fake: FakeImmich, client: ImmichClient) -> None:
    """No version endpoint at all: not Immich."""
    with pytest.raises(Unsupported) as err:
        await client.async_get_version()
    assert err.value.status == 404


async def test_version_too_old(fake: FakeImmich, client: ImmichClient) -> None:
    """Releases before v1.106 are refused, naming the version."""
    fake.version(1, 105, 3)
    with pytest.raises(Unsupported) as err:
        await client.async_get_version()
    assert err.value.version == ServerVersion(1, 105, 3)
    assert "v1.105.3" in str(err.value)


async def test_home_assistant_is_not_immich(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """Home Assistant's port has neither version route (404, "404: Not Found"): not Immich."""
    for path in ("/api/server/version", "/api/server-info/version"):
        fake.on(
            "GET", path, text="404: Not Found", status=404, content_type="text/plain"
        )
    with pytest.raises(NotImmich) as err:
        await client.async_get_version()
    assert err.value.reason == "not_immich"
    assert err.value.version is None


async def test_old_release_is_too_old_not_foreign(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """An Immich that answers its old version route with v1.105 is a real, old Immich."""
    fake.version(1, 105, 3)
    with pytest.raises(TooOld) as err:
        await client.async_get_version()
    assert err.value.reason == "too_old"
    assert not isinstance(err.value, NotImmich)


# ---- reading --------------------------------------------------------------------------------


async def test_read_v3_with_queue_read_uses_new_api(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """v2.4+ with queue.read: /api/queues, after learning the key's permissions once."""
    v31(fake, "78-get-api-keys-me-queues-key")
    fake.replay("33-get-queues-while-paused")
    snapshot = await client.async_get_queues()
    assert snapshot["thumbnailGeneration"].paused == 20
    await client.async_get_queues()
    assert fake.paths() == [
        "GET /api/server/version",
        "GET /api/api-keys/me",
        "GET /api/queues",
        "GET /api/queues",
    ]
    seen = fake.requests[-1]
    headers = {k.lower(): v for k, v in seen.headers.items()}
    assert headers["x-api-key"] == KEY
    assert "cookie" not in headers
    assert "authorization" not in headers


async def test_read_v3_seed_key_uses_legacy(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """A key with job.read + job.create only reads /api/jobs."""
    fake.replay("70-get-server-version")
    fake.on("GET", "/api/api-keys/me", {"permissions": ["job.read", "job.create"]})
    fake.replay("36-get-jobs-while-active")
    snapshot = await client.async_get_queues()
    assert snapshot["thumbnailGeneration"].active == 3
    assert fake.paths()[-1] == "GET /api/jobs"


async def test_read_v2_3_never_asks_permissions(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """Before v2.4 there is only the legacy API."""
    fake.version(2, 3, 0)
    fake.replay("10-get-jobs-idle")
    await client.async_get_queues()
    assert fake.paths() == ["GET /api/server/version", "GET /api/jobs"]


async def test_read_falls_back_when_queue_read_is_lost(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """A 403 on /api/queues sends the client back to /api/jobs for good."""
    v31(fake)
    fake.replay("21-get-queues-no-perms-key")
    fake.replay("10-get-jobs-idle")
    assert "backgroundTask" in await client.async_get_queues()
    await client.async_get_queues()
    assert fake.paths()[2:] == ["GET /api/queues", "GET /api/jobs", "GET /api/jobs"]


@pytest.mark.parametrize(
    ("sample_name", "error", "attribute", "value"),
    [
        ("20-get-jobs-no-perms-key", MissingPermission, "permission", "job.read"),
        ("24-get-jobs-no-key", InvalidAuth, "status", 401),
        ("25-get-jobs-bad-key", InvalidAuth, "message", "Invalid API key"),
        ("29b-get-jobs-non-admin-all-key", NotAdmin, "status", 403),
    ],
)
async def test_read_errors_from_real_answers(
    fake: FakeImmich,
    client: ImmichClient,
    sample_name: str,
    error: type[ImmichError],
    attribute: str,
    value: object,
) -> None:
    """Recorded refusals map to the taxonomy, with what the UI needs."""
    fake.version(2, 3, 0)
    fake.replay(sample_name)
    with pytest.raises(error) as err:
        await client.async_get_queues()
    assert getattr(err.value, attribute) == value


# ---- commands -------------------------------------------------------------------------------


async def test_pause_resume_new_api(fake: FakeImmich, client: ImmichClient) -> None:
    """With queue.update, pause/resume go through PUT /api/queues/{name}."""
    v31(fake, "78-get-api-keys-me-queues-key")
    fake.replay("40-put-queues-pause")
    paused = await client.async_pause("thumbnailGeneration")
    assert paused.is_paused
    fake.replay("44-put-queues-resume")
    resumed = await client.async_resume("thumbnailGeneration")
    assert not resumed.is_paused
    assert resumed.waiting == 1
    assert [seen.body for seen in fake.requests[-2:]] == [
        {"isPaused": True},
        {"isPaused": False},
    ]


async def test_pause_resume_legacy_always_sends_force(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """Legacy commands always carry force (required by v1.106)."""
    fake.version(1, 106, 0)
    fake.replay("30-put-jobs-pause-thumbnailGeneration")
    assert (await client.async_set_paused("thumbnailGeneration", True)).is_paused
    assert fake.requests[-1].body == {"command": "pause", "force": False}
    fake.replay("35-put-jobs-resume-thumbnailGeneration")
    assert not (await client.async_set_paused("thumbnailGeneration", False)).is_paused
    assert fake.requests[-1].body == {"command": "resume", "force": False}


@pytest.mark.parametrize("force", [False, True])
async def test_start(fake: FakeImmich, client: ImmichClient, force: bool) -> None:
    """Start goes through the legacy endpoint on every version, force as asked."""
    v31(fake, "78-get-api-keys-me-queues-key")
    fake.replay("41-put-jobs-start-force-while-paused")
    queue = await client.async_start("thumbnailGeneration", force=force)
    assert queue.is_paused
    assert queue.paused == 1
    assert fake.requests[-1].body == {"command": "start", "force": force}
    assert fake.paths()[-1] == "PUT /api/jobs/thumbnailGeneration"


async def test_clear_failed(fake: FakeImmich, client: ImmichClient) -> None:
    """clear-failed goes through the legacy endpoint."""
    fake.replay("30-put-jobs-pause-thumbnailGeneration")
    await client.async_clear_failed("thumbnailGeneration")
    assert fake.requests[-1].body == {"command": "clear-failed", "force": False}


@pytest.mark.parametrize(
    ("sample_name", "message", "details"),
    [
        ("26-put-jobs-bad-command", "Validation failed", 1),
        ("27-put-jobs-bad-queue", "Validation failed", 1),
    ],
)
async def test_command_rejected_v3(
    fake: FakeImmich,
    client: ImmichClient,
    sample_name: str,
    message: str,
    details: int,
) -> None:
    """v3's validation answers keep their message and details."""
    fake.on(
        "PUT",
        "/api/jobs/thumbnailGeneration",
        body(sample_name),
        status=400,
    )
    with pytest.raises(CommandRejected) as err:
        await client.async_start("thumbnailGeneration")
    assert err.value.message == message
    assert len(err.value.details) == details
    assert err.value.queue == "thumbnailGeneration"


@pytest.mark.parametrize(
    "answer",
    [
        {"message": "Job is already running"},
        {
            "message": ["Job is already running"],
            "error": "Bad Request",
            "statusCode": 400,
        },
    ],
)
async def test_command_rejected_both_shapes(
    fake: FakeImmich, client: ImmichClient, answer: object
) -> None:
    """v3's string message and v1/v2's list give the same CommandRejected.message."""
    fake.on("PUT", "/api/jobs/videoConversion", answer, status=400)
    with pytest.raises(CommandRejected) as err:
        await client.async_start("videoConversion")
    assert err.value.message == "Job is already running"
    assert err.value.reason == "command_rejected"


async def test_background_task_refusal(fake: FakeImmich, client: ImmichClient) -> None:
    """The new API refuses to pause backgroundTask; the message reaches the caller."""
    v31(fake)
    fake.replay("28-pause-backgroundTask-new-api")
    with pytest.raises(CommandRejected) as err:
        await client.async_pause("backgroundTask")
    assert err.value.message == "The BackgroundTask queue cannot be paused"


async def test_pause_falls_back_when_queue_update_missing(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """A key that lost queue.update pauses through the legacy endpoint instead."""
    v31(fake)
    fake.replay("23-put-queues-pause-readonly-key")
    fake.replay("30-put-jobs-pause-thumbnailGeneration")
    assert (await client.async_pause("thumbnailGeneration")).is_paused
    assert fake.paths()[-2:] == [
        "PUT /api/queues/thumbnailGeneration",
        "PUT /api/jobs/thumbnailGeneration",
    ]
    await client.async_pause("thumbnailGeneration")
    assert fake.paths()[-1] == "PUT /api/jobs/thumbnailGeneration"


async def test_pause_legacy_missing_permission(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """A read-only key's command names job.create."""
    fake.version(2, 3, 0)
    fake.replay("22-put-jobs-pause-readonly-key")
    with pytest.raises(MissingPermission) as err:
        await client.async_pause("thumbnailGeneration")
    assert err.value.permission == "job.create"
    assert isinstance(err.value, Forbidden)


async def test_pause_non_admin(fake: FakeImmich, client: ImmichClient) -> None:
    """A non-admin key is refused with NotAdmin, not a permission to add."""
    v31(fake)
    fake.replay("29c-put-queues-non-admin-all-key")
    with pytest.raises(NotAdmin):
        await client.async_pause("thumbnailGeneration")


async def test_pause_answer_for_another_queue(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """An answer about another queue is not trusted."""
    v31(fake)
    fake.on("PUT", "/api/queues/smartSearch", body("40-put-queues-pause"))
    with pytest.raises(InvalidResponse):
        await client.async_pause("smartSearch")


@pytest.mark.parametrize("name", ["", "a/b", "../jobs", "x" * 200, "thumb nail", "é"])
async def test_bad_queue_names_never_sent(
    fake: FakeImmich, client: ImmichClient, name: str
) -> None:
    """Names that cannot be Immich queues are refused locally."""
    for call in (
        client.async_pause(name),
        client.async_start(name),
        client.async_clear_failed(name),
    ):
        with pytest.raises(CommandRejected):
            await call
    assert fake.requests == []


# ---- access ---------------------------------------------------------------------------------


async def test_access_v3_all_key(fake: FakeImmich, client: ImmichClient) -> None:
    """`all` implies everything; a queue read proves admin rights."""
    v31(fake)
    fake.replay("11-get-queues-idle")
    access = await client.async_get_access()
    assert access.permissions == {"all"}
    assert access.missing_read == ()
    assert access.missing_control == ()
    assert access.is_admin is True
    assert access.read_api is ApiGeneration.QUEUES
    assert access.control_api is ApiGeneration.QUEUES
    assert access.can_control


async def test_access_v3_read_only_key(fake: FakeImmich, client: ImmichClient) -> None:
    """job.read + queue.read: readable, control needs job.create."""
    v31(fake, "81-get-api-keys-me-read-only-key")
    fake.replay("11-get-queues-idle")
    access = await client.async_get_access()
    assert access.missing_read == ()
    assert access.missing_control == ("job.create",)
    assert access.read_api is ApiGeneration.QUEUES
    assert access.control_api is ApiGeneration.LEGACY
    assert access.can_read
    assert not access.can_control


async def test_access_v3_no_queue_permissions(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """A key for other things: both permissions named, admin unknowable."""
    v31(fake, "80-get-api-keys-me-no-queue-perms-key")
    access = await client.async_get_access()
    assert access.missing_read == ("job.read",)
    assert access.missing_control == ("job.create",)
    assert access.is_admin is None
    assert fake.paths()[-1] == "GET /api/api-keys/me"


async def test_access_v3_admin_from_user_when_unreadable(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """Without a queue permission, user.read still tells admin rights."""
    fake.replay("70-get-server-version")
    fake.on("GET", "/api/api-keys/me", {"permissions": ["user.read"]})
    fake.on(
        "GET", "/api/users/me", {**body("77-get-users-me-all-key"), "isAdmin": False}
    )
    access = await client.async_get_access()
    assert access.is_admin is False
    assert not access.can_read


async def test_access_v3_non_admin(fake: FakeImmich, client: ImmichClient) -> None:
    """An `all` key of a non-admin user: nothing to add, but not an admin."""
    v31(fake)
    fake.on("GET", "/api/queues", body("29b-get-jobs-non-admin-all-key"), status=403)
    access = await client.async_get_access()
    assert access.is_admin is False
    assert access.missing_read == ()
    assert not access.can_read


async def test_access_v1_136_needs_all(fake: FakeImmich, client: ImmichClient) -> None:
    """v1.136: every job endpoint needs `all`, reading tells for control too."""
    fake.version(1, 136, 0)
    fake.on(
        "GET", "/api/jobs", {"message": "Missing required permission: all"}, status=403
    )
    access = await client.async_get_access()
    assert access.missing_read == ("all",)
    assert access.missing_control == ("all",)
    assert access.permissions is None
    assert access.is_admin is None
    assert all(not path.startswith("PUT") for path in fake.paths())


@pytest.mark.parametrize(("status", "admin"), [(200, True), (403, False)])
async def test_access_v1_106_admin_only(
    fake: FakeImmich, client: ImmichClient, status: int, admin: bool
) -> None:
    """v1.106: any key of an admin; the read answers for control, nothing is commanded."""
    fake.version(1, 106, 0)
    answer = body("10-get-jobs-idle") if status == 200 else {"message": "Forbidden"}
    fake.on("GET", "/api/jobs", answer, status=status)
    access = await client.async_get_access()
    assert access.is_admin is admin
    assert access.missing_read == access.missing_control == ()
    assert access.can_control is admin
    assert fake.paths()[-1] == "GET /api/jobs"


async def test_access_v1_137_probe(fake: FakeImmich, client: ImmichClient) -> None:
    """v1.137-v1.138: control is probed with a command on a queue that does not exist."""
    fake.version(1, 137, 0)
    fake.replay("10-get-jobs-idle")
    fake.on(
        "PUT",
        "/api/jobs/immichJobsAccessProbe",
        {"message": ["name must be one of ..."], "statusCode": 400},
        status=400,
    )
    access = await client.async_get_access()
    assert access.missing_read == access.missing_control == ()
    assert access.is_admin is True
    assert fake.requests[-1].body == {"command": "clear-failed", "force": False}


async def test_access_v1_137_read_only_key(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """v1.137 key with job.read only: the probe names job.create."""
    fake.version(1, 137, 0)
    fake.replay("10-get-jobs-idle")
    fake.on(
        "PUT",
        "/api/jobs/immichJobsAccessProbe",
        body("22-put-jobs-pause-readonly-key"),
        status=403,
    )
    access = await client.async_get_access()
    assert access.missing_control == ("job.create",)
    assert access.missing_read == ()


async def test_access_v1_137_nothing_readable(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """v1.137 key without job permissions: users/me may still tell admin rights."""
    fake.version(1, 137, 0)
    fake.replay("20-get-jobs-no-perms-key")
    fake.on(
        "PUT", "/api/jobs/immichJobsAccessProbe", {"message": "Forbidden"}, status=403
    )
    fake.replay("76-get-users-me-queues-key")
    access = await client.async_get_access()
    assert access.missing_read == ("job.read",)
    assert access.is_admin is False


async def test_access_v1_137_admin_from_user(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """v1.137 key lacking job.read but with user.read: admin rights from users/me."""
    fake.version(1, 137, 0)
    fake.replay("20-get-jobs-no-perms-key")
    fake.on(
        "PUT",
        "/api/jobs/immichJobsAccessProbe",
        body("22-put-jobs-pause-readonly-key"),
        status=403,
    )
    fake.on("GET", "/api/users/me", body("77-get-users-me-all-key"))
    access = await client.async_get_access()
    assert access.is_admin is True
    assert access.missing_read == ("job.read",)
    assert access.missing_control == ("job.create",)


async def test_user_forbidden_is_none(fake: FakeImmich, client: ImmichClient) -> None:
    """users/me is optional: a key without user.read gives None."""
    fake.replay("76-get-users-me-queues-key")
    assert await client.async_get_user() is None
    fake.replay("77-get-users-me-all-key")
    user = await client.async_get_user()
    assert user is not None
    assert user.is_admin


# ---- server info and maintenance ---------------------------------------------------------


async def test_server_info(fake: FakeImmich, client: ImmichClient) -> None:
    """Version, maintenance flag and enabled features, all without the key."""
    fake.replay("70-get-server-version")
    fake.replay("72-get-server-config")
    fake.replay("73-get-server-features")
    info = await client.async_get_server_info()
    assert info.version == ServerVersion(3, 1, 0)
    assert info.maintenance_mode is False
    assert "map" in info.features
    assert "smartSearch" not in info.features
    assert all("x-api-key" not in {k.lower() for k in s.headers} for s in fake.requests)


async def test_server_info_v1_106(fake: FakeImmich, client: ImmichClient) -> None:
    """v1.106 serves config and features under /api/server-info."""
    fake.version(1, 106, 0)
    fake.on("GET", "/api/server-info/config", {"trashDays": 30})
    fake.on("GET", "/api/server-info/features", {"smartSearch": True})
    info = await client.async_get_server_info()
    assert info.features == {"smartSearch"}
    assert not info.maintenance_mode


@pytest.mark.parametrize(
    ("config", "features"),
    [([], {}), ({"maintenanceMode": False}, [])],
)
async def test_server_info_wrong_shapes(
    fake: FakeImmich, client: ImmichClient, config: object, features: object
) -> None:
    """Config and features must be objects."""
    fake.replay("70-get-server-version")
    fake.on("GET", "/api/server/config", config)
    fake.on("GET", "/api/server/features", features)
    with pytest.raises(InvalidResponse):
        await client.async_get_server_info()


async def test_maintenance_mode(fake: FakeImmich, client: ImmichClient) -> None:
    """A 503 while the config says maintenance is MaintenanceMode."""
    fake.version(2, 3, 0)
    fake.on("GET", "/api/server/config", {"maintenanceMode": True})
    fake.on("GET", "/api/jobs", {"message": "Service Unavailable"}, status=503)
    with pytest.raises(MaintenanceMode) as err:
        await client.async_get_queues()
    assert err.value.reason == "maintenance_mode"


async def test_503_without_maintenance(fake: FakeImmich, client: ImmichClient) -> None:
    """A 503 outside maintenance is an invalid answer."""
    fake.version(2, 3, 0)
    fake.on("GET", "/api/server/config", {"maintenanceMode": False})
    fake.on("GET", "/api/jobs", {"message": "down"}, status=503)
    with pytest.raises(InvalidResponse) as err:
        await client.async_get_queues()
    assert err.value.status == 503


async def test_503_before_maintenance_existed(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """Before v2.3 there is no maintenance mode to ask about."""
    fake.version(2, 2, 0)
    fake.on("GET", "/api/jobs", {"message": "down"}, status=503)
    with pytest.raises(InvalidResponse):
        await client.async_get_queues()
    assert "GET /api/server/config" not in fake.paths()


async def test_503_config_unreadable(fake: FakeImmich, client: ImmichClient) -> None:
    """When even the config fails, the 503 stays an invalid answer."""
    fake.version(2, 4, 0)
    fake.on("GET", "/api/api-keys/me", {"permissions": ["job.read"]})
    fake.on("GET", "/api/jobs", {"message": "down"}, status=503)
    with pytest.raises(InvalidResponse):
        await client.async_get_queues()
    assert "GET /api/server/config" in fake.paths()


# ---- answers that are not Immich's ---------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "text", "content_type"),
    [
        (200, "<html><body>Welcome to nginx</body></html>", "text/html"),
        (200, '{"thumbnailGeneration": ', "application/json"),
        (200, "", "application/json"),
        (200, "[" * 100_000 + "]" * 100_000, "application/json"),
        (200, '{"a": 1}', "text/html"),
        (502, "<html>Bad Gateway</html>", "text/html"),
        (500, '{"message": "Internal server error"}', "application/json"),
        (403, "<html>Cloudflare</html>", "text/html"),
        (400, '{"message": "Bad"}', "application/json"),
        (429, '{"message": "slow down"}', "application/json"),
    ],
)
async def test_not_immich_answers(
    fake: FakeImmich,
    client: ImmichClient,
    status: int,
    text: str,
    content_type: str,
) -> None:
    """HTML, malformed JSON, 5xx and odd statuses are InvalidResponse, nothing else."""
    fake.version(2, 3, 0)
    fake.on("GET", "/api/jobs", text=text, status=status, content_type=content_type)
    with pytest.raises(InvalidResponse) as err:
        await client.async_get_queues()
    assert err.value.status == status


async def test_wrong_shape(fake: FakeImmich, client: ImmichClient) -> None:
    """Valid JSON of the wrong shape is InvalidResponse."""
    fake.version(2, 3, 0)
    fake.on("GET", "/api/jobs", [1, 2])
    with pytest.raises(InvalidResponse):
        await client.async_get_queues()


async def test_redirect_not_followed(fake: FakeImmich, client: ImmichClient) -> None:
    """A redirect is reported, never followed: the key must not travel elsewhere."""
    fake.on(
        "GET",
        "/api/server/version",
        text="",
        status=301,
        headers={"Location": "https://elsewhere.example/api/server/version"},
    )
    with pytest.raises(InvalidResponse) as err:
        await client.async_get_version()
    assert err.value.reason == "redirect"
    assert "elsewhere.example" in str(err.value)
    assert len(fake.requests) == 1


async def test_oversized_answer(fake: FakeImmich, client: ImmichClient) -> None:
    """A download is cut short instead of filling memory."""
    fake.on("GET", "/api/server/version", text="x" * (MAX_BODY_BYTES + 10))
    with pytest.raises(InvalidResponse, match="larger"):
        await client.async_get_version()


async def test_unsupported_endpoint(fake: FakeImmich, client: ImmichClient) -> None:
    """A missing endpoint that should exist is Unsupported (405 too)."""
    fake.version(2, 3, 0)
    fake.on(
        "GET",
        "/api/jobs",
        text="Method Not Allowed",
        status=405,
        content_type="text/plain",
    )
    with pytest.raises(Unsupported):
        await client.async_get_queues()


async def test_queues_endpoint_absent_falls_back(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """A server that says v2.4 but has no /api/queues is read through /api/jobs."""
    fake.version(2, 4, 0)
    fake.on("GET", "/api/api-keys/me", {"permissions": ["all"]})
    fake.replay("10-get-jobs-idle")
    fake.replay("30-put-jobs-pause-thumbnailGeneration")
    await client.async_get_queues()
    await client.async_pause("thumbnailGeneration")
    assert fake.paths()[2:] == [
        "GET /api/queues",
        "GET /api/server/config",
        "GET /api/jobs",
        "PUT /api/queues/thumbnailGeneration",
        "GET /api/server/config",
        "PUT /api/jobs/thumbnailGeneration",
    ]


# ---- transport -------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


async def test_connection_refused(session: aiohttp.ClientSession) -> None:
    """Nothing listening: CannotConnect."""
    client = ImmichClient(session, f"http://127.0.0.1:{_free_port()}", KEY)
    with pytest.raises(CannotConnect) as err:
        await client.async_get_version()
    assert err.value.reason == "cannot_connect"


async def test_timeout_on_hanging_answer(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """A server that never answers trips the client's 10 s timeout; the test then releases it."""
    release = asyncio.Event()
    hanging: list[web.Request] = []

    async def hang(request: web.Request) -> web.StreamResponse:
        hanging.append(request)
        await release.wait()
        return web.json_response({})

    fake.handle("GET", "/api/server/version", hang)
    with pytest.raises(CannotConnect) as err:
        await after(11, client.async_get_version(), lambda: bool(hanging))
    release.set()
    assert err.value.reason == "timeout"
    assert err.value.status is None


async def test_connection_dropped_mid_body(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """The connection closing in the middle of the body is CannotConnect."""

    async def drop(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse(headers={"Content-Length": "1000"})
        response.content_type = "application/json"
        await response.prepare(request)
        await response.write(b'{"major": 3, ')
        assert request.transport is not None
        request.transport.close()
        return response

    fake.handle("GET", "/api/server/version", drop)
    with pytest.raises(CannotConnect):
        await client.async_get_version()


async def test_tls_error(fake: FakeImmich, session: aiohttp.ClientSession) -> None:
    """Speaking TLS to a plain-HTTP port is a TLS error."""
    url = fake.url.replace("http://", "https://")
    client = ImmichClient(session, url, KEY, timeout=5)
    with pytest.raises(CannotConnect) as err:
        await client.async_get_version()
    assert err.value.reason == "tls_error"


class _NoDns(aiohttp.abc.AbstractResolver):
    """A resolver for which every name fails, like a DNS outage."""

    async def resolve(self, host: str, port: int = 0, family: int = 0) -> list[object]:  # type: ignore[override]
        raise OSError(f"Domain name not found: {host}")

    async def close(self) -> None:
        """Nothing to close."""


@pytest.fixture
async def no_dns_session() -> AsyncIterator[aiohttp.ClientSession]:
    """Give a session whose every name lookup fails."""
    connector = aiohttp.TCPConnector(resolver=_NoDns())
    async with aiohttp.ClientSession(
        connector=connector, cookie_jar=aiohttp.DummyCookieJar()
    ) as client_session:
        yield client_session


async def test_dns_failure(no_dns_session: aiohttp.ClientSession) -> None:
    """An unknown host name is CannotConnect."""
    client = ImmichClient(no_dns_session, "https://immich.invalid", KEY)
    with pytest.raises(CannotConnect):
        await client.async_get_version()


async def test_stray_value_error(
    fake: FakeImmich, session: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ValueError from deep inside aiohttp becomes InvalidResponse."""

    def broken(*args: object, **kwargs: object) -> object:
        raise ValueError("bad header")

    monkeypatch.setattr(session, "request", broken)
    with pytest.raises(InvalidResponse):
        await client_for(fake, session).async_get_version()


# ---- secrets and cookies ---------------------------------------------------------------------


async def test_key_never_in_messages_or_logs(
    fake: FakeImmich, client: ImmichClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Even a server echoing the key does not get it into messages or logs."""
    caplog.set_level(logging.DEBUG)
    fake.version(2, 3, 0)
    fake.on("GET", "/api/jobs", {"message": f"Invalid API key {KEY}"}, status=401)
    fake.on("PUT", "/api/jobs/smartSearch", {"message": [f"no {KEY}"]}, status=400)
    with pytest.raises(InvalidAuth) as auth_err:
        await client.async_get_queues()
    with pytest.raises(CommandRejected) as cmd_err:
        await client.async_start("smartSearch")
    texts = [
        str(auth_err.value),
        str(cmd_err.value),
        *cmd_err.value.details,
        caplog.text,
    ]
    assert all(KEY not in text for text in texts)
    assert "REDACTED" in str(auth_err.value)


@pytest.mark.parametrize("key", ["", "has space", "line\nbreak", "ключ"])
async def test_unusable_key_never_sent(
    fake: FakeImmich, session: aiohttp.ClientSession, key: str
) -> None:
    """A key Immich could never have issued is InvalidAuth before any request."""
    fake.version(2, 3, 0)
    client = ImmichClient(session, fake.url, key)
    with pytest.raises(InvalidAuth):
        await client.async_get_queues()
    assert fake.paths() == ["GET /api/server/version"]


async def test_invalid_url_at_construction(session: aiohttp.ClientSession) -> None:
    """The constructor refuses what normalize_url refuses."""
    with pytest.raises(InvalidUrl) as err:
        ImmichClient(session, "http://user:pw@immich.local", KEY)
    assert err.value.reason == "credentials_in_url"


async def test_cookies_never_sent_even_with_a_cookie_jar(fake: FakeImmich) -> None:
    """A session that keeps cookies still sends none to Immich."""

    async def set_cookie(request: web.Request) -> web.StreamResponse:
        response = web.json_response({"major": 3, "minor": 1, "patch": 0})
        response.set_cookie("immich_access_token", "admin-session")
        return response

    fake.handle("GET", "/api/server/version", set_cookie)
    fake.replay("10-get-jobs-idle")
    fake.on("GET", "/api/api-keys/me", {"permissions": ["job.read"]})
    async with aiohttp.ClientSession(
        cookie_jar=aiohttp.CookieJar(unsafe=True)
    ) as jar_session:
        client = client_for(fake, jar_session)
        await client.async_get_version()
        await client.async_get_queues()
    assert all("cookie" not in {k.lower() for k in s.headers} for s in fake.requests)


async def test_closed_session(fake: FakeImmich) -> None:
    """A poll racing shutdown (session closed) is CannotConnect, nothing else."""
    closed = aiohttp.ClientSession(cookie_jar=aiohttp.DummyCookieJar())
    await closed.close()
    with pytest.raises(CannotConnect, match="closed"):
        await client_for(fake, closed).async_get_version()
    assert fake.requests == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": {"Authorization": "Bearer admin-session"}},
        {"headers": {"Cookie": "immich_access_token=admin-session"}},
        {"auth": aiohttp.BasicAuth("admin", "pw")},
    ],
)
async def test_session_with_default_credentials_warns(
    fake: FakeImmich, caplog: pytest.LogCaptureFixture, kwargs: dict[str, object]
) -> None:
    """A session that would send credentials of its own is reported (without them)."""
    async with aiohttp.ClientSession(**kwargs) as bad:  # type: ignore[arg-type]
        client_for(fake, bad)
    assert "default credentials" in caplog.text
    assert "admin-session" not in caplog.text


async def test_clean_session_does_not_warn(
    fake: FakeImmich, session: aiohttp.ClientSession, caplog: pytest.LogCaptureFixture
) -> None:
    """The integration's own session raises no warning."""
    client_for(fake, session)
    assert "default credentials" not in caplog.text


async def test_upgrade_noticed_by_version_check(
    fake: FakeImmich, client: ImmichClient
) -> None:
    """After an upgrade to v2.4+, a version check moves reads to /api/queues."""
    fake.version(2, 3, 0)
    fake.replay("10-get-jobs-idle")
    await client.async_get_queues()
    fake.version(3, 1, 0)
    fake.replay("78-get-api-keys-me-queues-key")
    fake.replay("11-get-queues-idle")
    assert await client.async_get_version() == ServerVersion(3, 1, 0)
    await client.async_get_queues()
    assert fake.paths()[-2:] == ["GET /api/api-keys/me", "GET /api/queues"]
