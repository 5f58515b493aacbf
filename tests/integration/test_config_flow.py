"""The config flow against the simulated Immich of each release: set-up, reauth, reconfigure, options."""

from __future__ import annotations

import asyncio
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from bench.real.controllers import VARIANTS
from custom_components.immich_jobs.config_flow import entry_title
from custom_components.immich_jobs.const import (
    CONF_EXPRESS_LANE,
    CONF_EXPRESS_MAX_JOBS,
    CONF_MANAGED_QUEUES,
    CONF_MAX_RUNNING,
    CONF_POLICY,
    CONF_POLL_INTERVAL,
    CONF_PRIORITY,
    DOMAIN,
)
from custom_components.immich_jobs.immich import ImmichError, NotAdmin
from demo.__main__ import Demo
from demo.cli import parse_args
from demo.hass import answered
from homeassistant.config_entries import SOURCE_USER, ConfigEntryState
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData, section
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.selector import SelectSelector
from homeassistant.helpers.translation import async_get_translations
from simulator.faults import Fault
from simulator.server import (
    KEY_ALL,
    KEY_NO_QUEUE_PERMS,
    KEY_NON_ADMIN,
    KEY_READ_ONLY,
    KEY_SEED,
    SimulatedImmich,
    User,
)
from tests.timers import turns_until

from .helpers import form_as_shown, submit_house_as_shown

PROFILES = ["v1.106", "v1.113", "v1.136", "v1.137", "v1.139", "v2.4", "v3.1"]


async def _start_user_flow(hass: HomeAssistant) -> str:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    assert result["errors"] == {}
    return result["flow_id"]


async def _submit(
    hass: HomeAssistant, flow_id: str, url: str, key: str, verify_ssl: bool = True
) -> dict:
    return await hass.config_entries.flow.async_configure(
        flow_id, {CONF_URL: url, CONF_API_KEY: key, CONF_VERIFY_SSL: verify_ssl}
    )


@pytest.mark.parametrize("immich_profile", PROFILES)
async def test_user_flow_creates_entry_on_every_release(
    hass: HomeAssistant, immich: SimulatedImmich
) -> None:
    """An admin key with every permission sets the integration up on every release."""
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, f"{immich.url}/api/", KEY_ALL)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    port = immich.url.rsplit(":", 1)[1]
    assert result["title"] == f"Immich (127.0.0.1:{port})"
    assert result["data"] == {
        CONF_URL: immich.url,
        CONF_API_KEY: KEY_ALL,
        CONF_VERIFY_SSL: True,
    }
    await hass.async_block_till_done()
    entry = hass.config_entries.async_entries(DOMAIN)[0]
    # The admin's id when the key may read it (every release with key "all"), so a change of
    # address does not create a second entry for the same server.
    assert entry.unique_id == immich.admin.id
    assert entry.state is ConfigEntryState.LOADED


async def test_two_servers_on_one_host_are_told_apart(
    hass: HomeAssistant, immich: SimulatedImmich
) -> None:
    """Each entry, device and action drop-down entry names its port; actions reach the right one."""
    other = SimulatedImmich("v3.1")
    await other.start()
    try:
        for server in (immich, other):
            flow_id = await _start_user_flow(hass)
            result = await _submit(hass, flow_id, server.url, KEY_ALL)
            assert result["type"] is FlowResultType.CREATE_ENTRY
        await hass.async_block_till_done()
        first, second = hass.config_entries.async_entries(DOMAIN)
        ports = [server.url.rsplit(":", 1)[1] for server in (immich, other)]
        assert [first.title, second.title] == [
            f"Immich (127.0.0.1:{ports[0]})",
            f"Immich (127.0.0.1:{ports[1]})",
        ]
        devices = {
            device.name
            for entry in (first, second)
            for device in dr.async_entries_for_config_entry(
                dr.async_get(hass), entry.entry_id
            )
        }
        assert devices == {first.title, second.title}
        await hass.services.async_call(
            DOMAIN,
            "start_queue",
            {"config_entry_id": second.entry_id, "queue": "smart_search"},
            blocking=True,
        )
        assert other.count("PUT", "/api/jobs/smartSearch") == 1
        assert immich.count("PUT", "/api/jobs/smartSearch") == 0
        assert hass.states.get(
            f"switch.immich_127_0_0_1_{ports[1]}_smart_search_allowed"
        )
    finally:
        for entry in hass.config_entries.async_entries(DOMAIN):
            await hass.config_entries.async_unload(entry.entry_id)
        await other.stop()


def test_title_leaves_out_the_default_port() -> None:
    """https://immich.example.com is named by its host alone; an explicit port shows."""
    assert entry_title("https://immich.example.com") == "Immich (immich.example.com)"
    assert entry_title("http://192.168.1.10") == "Immich (192.168.1.10)"
    assert entry_title("http://192.168.1.10:2283") == "Immich (192.168.1.10:2283)"
    assert entry_title("http://[fd00::10]:2283") == "Immich ([fd00::10]:2283)"


@pytest.mark.parametrize("immich_profile", ["v1.137", "v2.4", "v3.1"])
async def test_seed_key_is_accepted(
    hass: HomeAssistant, immich: SimulatedImmich
) -> None:
    """The add-on's key (job.read + job.create only) is enough; the URL identifies the server."""
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, immich.url, KEY_SEED)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["result"].unique_id == immich.url


@pytest.mark.parametrize(
    ("key", "field", "error", "permissions"),
    [
        ("not-a-key", CONF_API_KEY, "invalid_auth", None),
        (KEY_NON_ADMIN, CONF_API_KEY, "not_admin", None),
        (KEY_READ_ONLY, CONF_API_KEY, "missing_permissions", "job.create"),
        (
            KEY_NO_QUEUE_PERMS,
            CONF_API_KEY,
            "missing_permissions",
            "job.create, job.read",
        ),
    ],
)
async def test_user_flow_key_errors(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    key: str,
    field: str,
    error: str,
    permissions: str | None,
) -> None:
    """A wrong, non-admin or under-permitted key is refused, naming what is missing."""
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, immich.url, key)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {field: error}
    if permissions is not None:
        assert result["description_placeholders"]["permissions"] == permissions
    assert hass.config_entries.async_entries(DOMAIN) == []
    # The key is never echoed back into the form.
    suggested = {
        str(key): (key.description or {}).get("suggested_value")
        for key in result["data_schema"].schema
    }
    assert suggested[CONF_URL] == immich.url
    assert suggested[CONF_API_KEY] is None

    # Fixing the key then works from the same form.
    result = await _submit(hass, flow_id, immich.url, KEY_ALL)
    assert result["type"] is FlowResultType.CREATE_ENTRY


@pytest.mark.parametrize("immich_profile", ["v1.136"])
async def test_v1_136_key_without_all_is_refused(
    hass: HomeAssistant, immich: SimulatedImmich
) -> None:
    """On v1.136 only the permission `all` opens the job endpoints."""
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, immich.url, KEY_SEED)
    assert result["errors"] == {CONF_API_KEY: "missing_permissions"}
    assert result["description_placeholders"]["permissions"] == "all"


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("ftp://127.0.0.1:2283", "invalid_scheme"),
        ("http://admin:secret@127.0.0.1:2283", "credentials_in_url"),
        ("http://127.0.0.1:2283/photos", "invalid_url"),
        ("", "invalid_url"),
        ("http://", "missing_host"),
        ("http://" + "a" * 5000 + ".example", "invalid_url"),
        ("127.0.0.1:2283", "invalid_scheme"),
    ],
)
async def test_user_flow_bad_urls(
    hass: HomeAssistant, immich: SimulatedImmich, url: str, error: str
) -> None:
    """Addresses that cannot be an Immich base URL are refused before any request."""
    before = len(immich.requests)
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, url, KEY_ALL)
    assert result["errors"] == {CONF_URL: error}
    assert len(immich.requests) == before


async def test_user_flow_cannot_connect(
    hass: HomeAssistant, immich: SimulatedImmich, refused_port: int
) -> None:
    """Nothing listening at the address."""
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, f"http://127.0.0.1:{refused_port}", KEY_ALL)
    assert result["errors"] == {"base": "cannot_connect"}


async def test_user_flow_timeout(
    hass: HomeAssistant, immich: SimulatedImmich, freezer: FrozenDateTimeFactory
) -> None:
    """A server that never answers is reported as a timeout (after 10 s), not a hang."""
    hang = immich.faults.add(Fault(kind="hang", count=None))
    flow_id = await _start_user_flow(hass)
    submitted = hass.async_create_task(_submit(hass, flow_id, immich.url, KEY_ALL))
    await turns_until(lambda: hang.hits > 0)
    freezer.tick(timedelta(seconds=9))
    async_fire_time_changed(hass)
    await asyncio.sleep(0)
    assert not submitted.done()
    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    result = await submitted
    immich.faults.clear()
    assert result["errors"] == {"base": "timeout"}


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(kind="html", status=200, count=None), "invalid_response"),
        (Fault(kind="html", status=502, count=None), "invalid_response"),
        (Fault(kind="malformed_json", count=None), "invalid_response"),
    ],
)
async def test_user_flow_not_immich(
    hass: HomeAssistant, immich: SimulatedImmich, fault: Fault, error: str
) -> None:
    """A proxy's error page or garbage is not taken for Immich."""
    immich.faults.add(fault)
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, immich.url, KEY_ALL)
    assert result["errors"] == {"base": error}


@pytest.mark.parametrize("immich_profile", ["v2.4"])
async def test_user_flow_maintenance(
    hass: HomeAssistant, immich: SimulatedImmich
) -> None:
    """Immich in maintenance mode cannot be set up yet."""
    immich.set_maintenance(True)
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, immich.url, KEY_ALL)
    assert result["errors"] == {"base": "maintenance_mode"}


async def test_user_flow_too_old(
    hass: HomeAssistant, old_immich: SimulatedImmich
) -> None:
    """An Immich older than v1.106 is told to upgrade, naming the release it runs."""
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, old_immich.url, KEY_ALL)
    assert result["errors"] == {"base": "too_old"}
    assert result["description_placeholders"]["version"] == "v1.105.0"
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.parametrize("other_server_page", ["home_assistant", "nginx"])
async def test_user_flow_address_is_not_immich(
    hass: HomeAssistant, other_server: str
) -> None:
    """Home Assistant's own port, or any web server: "not an Immich server", not "too old"."""
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, other_server, KEY_ALL)
    assert result["errors"] == {"base": "not_immich"}
    assert not hass.config_entries.async_entries(DOMAIN)


@pytest.mark.parametrize(
    ("absent", "error"),
    [
        (("/api/server/", "/api/server-info/"), "not_immich"),
        (("/api/queues",), "unsupported"),
    ],
    ids=["no_version_route", "no_queue_route"],
)
async def test_user_flow_routes_absent(
    hass: HomeAssistant, immich: SimulatedImmich, absent: tuple[str, ...], error: str
) -> None:
    """No version route: not Immich, even if it answers 404 as Immich's framework does.

    A version but no queues (a proxy forwarding part of /api): the job endpoints are missing.
    """
    for prefix in absent:
        immich.faults.add(
            Fault(kind="status", status=404, path_prefix=prefix, count=None)
        )
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, immich.url, KEY_ALL)
    assert result["errors"] == {"base": error}


async def test_user_flow_unexpected_errors(
    hass: HomeAssistant, immich: SimulatedImmich
) -> None:
    """A bug or an unforeseen Immich answer shows 'unknown' instead of a broken form."""
    flow_id = await _start_user_flow(hass)
    with patch(
        "custom_components.immich_jobs.immich.ImmichClient.async_get_access",
        side_effect=RuntimeError("boom"),
    ):
        result = await _submit(hass, flow_id, immich.url, KEY_ALL)
    assert result["errors"] == {"base": "unknown"}
    with patch(
        "custom_components.immich_jobs.immich.ImmichClient.async_get_user",
        side_effect=ImmichError("unforeseen"),
    ):
        result = await _submit(hass, flow_id, immich.url, KEY_ALL)
    assert result["errors"] == {"base": "unknown"}
    with patch(
        "custom_components.immich_jobs.immich.ImmichClient.async_get_user",
        side_effect=NotAdmin("Forbidden"),
    ):
        result = await _submit(hass, flow_id, immich.url, KEY_ALL)
    assert result["errors"] == {CONF_API_KEY: "not_admin"}


@pytest.mark.parametrize("written", ["/api", "/"], ids=["api_path", "trailing_slash"])
async def test_same_server_twice_is_aborted(
    hass: HomeAssistant, immich: SimulatedImmich, written: str
) -> None:
    """One entry per server, whatever address or key is used the second time.

    The second key (the seed's) cannot read the admin: the server is recognised by its URL,
    written with Immich's /api or a trailing slash.
    """
    flow_id = await _start_user_flow(hass)
    await _submit(hass, flow_id, immich.url, KEY_ALL)
    await hass.async_block_till_done()
    flow_id = await _start_user_flow(hass)
    result = await _submit(hass, flow_id, immich.url + written, KEY_SEED)
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"


# --- reauth -------------------------------------------------------------------------------


async def test_reauth_takes_a_new_key(
    hass: HomeAssistant, immich: SimulatedImmich, loaded_entry: MockConfigEntry
) -> None:
    """A revoked key leads to reauth; a new key of the same admin fixes it."""
    immich.add_key("new-key", user=immich.admin)
    result = await loaded_entry.start_reauth_flow(hass)
    assert result["step_id"] == "reauth_confirm"
    assert result["description_placeholders"]["title"] == loaded_entry.title
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "bad"}
    )
    assert result["errors"] == {CONF_API_KEY: "invalid_auth"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "new-key"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reauth_successful"
    assert loaded_entry.data[CONF_API_KEY] == "new-key"
    assert loaded_entry.data[CONF_URL] == immich.url


async def test_reauth_refuses_another_admins_key(
    hass: HomeAssistant, immich: SimulatedImmich, loaded_entry: MockConfigEntry
) -> None:
    """A key of another admin (another server, or another account) is refused."""
    other = User(
        "0b9b7c43-5a2b-4a52-9d1e-2f3c4d5e6f70", "Other", "o@example.test", True
    )
    immich.add_key("other-admin", user=other)
    result = await loaded_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: "other-admin"}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_server"
    assert loaded_entry.data[CONF_API_KEY] == KEY_ALL


async def test_reauth_accepts_seed_key(
    hass: HomeAssistant, immich: SimulatedImmich, loaded_entry: MockConfigEntry
) -> None:
    """A key that cannot read the admin is taken: the address already names the server."""
    result = await loaded_entry.start_reauth_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_API_KEY: KEY_SEED}
    )
    assert result["reason"] == "reauth_successful"
    assert loaded_entry.data[CONF_API_KEY] == KEY_SEED


# --- reconfigure ----------------------------------------------------------------------------


async def test_reconfigure_changes_address_and_key(
    hass: HomeAssistant, immich: SimulatedImmich, loaded_entry: MockConfigEntry
) -> None:
    """The same server under another address, with another key."""
    moved = SimulatedImmich("v3.1")
    moved.add_key("moved-key", user=immich.admin)
    await moved.start()
    new_url = moved.url
    result = await loaded_entry.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    result = await _submit(hass, result["flow_id"], "ftp://x", KEY_ALL)
    assert result["errors"] == {CONF_URL: "invalid_scheme"}
    try:
        result = await _submit(
            hass, result["flow_id"], new_url + "/api", "moved-key", False
        )
    finally:
        await moved.stop()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    assert loaded_entry.data == {
        CONF_URL: new_url,
        CONF_API_KEY: "moved-key",
        CONF_VERIFY_SSL: False,
    }
    assert loaded_entry.unique_id == immich.admin.id
    # A title that is not the one made from the old address was the user's: it stays.
    assert loaded_entry.title == "Immich (127.0.0.1)"


async def test_reconfigure_renames_a_generated_title(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """The title made from the old address follows the new one."""
    old_port = immich.url.rsplit(":", 1)[1]
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(
        config_entry, title=f"Immich (127.0.0.1:{old_port})"
    )
    moved = SimulatedImmich("v3.1")
    moved.add_key("moved-key", user=immich.admin)
    await moved.start()
    try:
        result = await config_entry.start_reconfigure_flow(hass)
        result = await _submit(hass, result["flow_id"], moved.url, "moved-key")
        assert result["reason"] == "reconfigure_successful"
        new_port = moved.url.rsplit(":", 1)[1]
        assert config_entry.title == f"Immich (127.0.0.1:{new_port})"
        await hass.async_block_till_done()
        await hass.config_entries.async_unload(config_entry.entry_id)
    finally:
        await moved.stop()


async def test_reconfigure_refuses_another_server(
    hass: HomeAssistant, immich: SimulatedImmich, loaded_entry: MockConfigEntry
) -> None:
    """Pointing the entry at another Immich is refused."""
    other = SimulatedImmich("v3.1")
    await other.start()
    try:
        result = await loaded_entry.start_reconfigure_flow(hass)
        result = await _submit(hass, result["flow_id"], other.url, KEY_ALL)
    finally:
        await other.stop()
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "wrong_server"
    assert loaded_entry.data[CONF_URL] == immich.url


@pytest.mark.parametrize("other_server_page", ["home_assistant"])
async def test_reconfigure_to_an_address_that_is_not_immich(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    other_server: str,
) -> None:
    """Reconfigure says which mistake it is, and keeps the working address."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await _submit(hass, result["flow_id"], other_server, KEY_ALL)
    assert result["step_id"] == "reconfigure"
    assert result["errors"] == {"base": "not_immich"}
    assert loaded_entry.data[CONF_URL] == immich.url


async def test_reconfigure_to_an_immich_that_is_too_old(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    old_immich: SimulatedImmich,
) -> None:
    """An old Immich at the new address is named as such, and nothing changes."""
    result = await loaded_entry.start_reconfigure_flow(hass)
    result = await _submit(hass, result["flow_id"], old_immich.url, KEY_ALL)
    assert result["errors"] == {"base": "too_old"}
    assert result["description_placeholders"]["version"] == "v1.105.0"
    assert loaded_entry.data[CONF_URL] == immich.url


async def test_reconfigure_keeps_the_entry_identity(
    hass: HomeAssistant, immich: SimulatedImmich
) -> None:
    """An entry made with a seed key keeps its id, so its entities keep theirs."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        unique_id=immich.url,
        data={CONF_URL: immich.url, CONF_API_KEY: KEY_SEED, CONF_VERIFY_SSL: True},
    )
    entry.add_to_hass(hass)
    result = await entry.start_reconfigure_flow(hass)
    result = await _submit(hass, result["flow_id"], immich.url, KEY_ALL)
    assert result["reason"] == "reconfigure_successful"
    assert entry.unique_id == immich.url
    assert entry.data[CONF_API_KEY] == KEY_ALL


# --- options --------------------------------------------------------------------------------


def _rules(**changes: object) -> dict[str, object]:
    rules: dict[str, object] = {
        CONF_MAX_RUNNING: 2,
        CONF_POLL_INTERVAL: 15,
        CONF_POLICY: "finish_first",
        CONF_EXPRESS_LANE: False,
        CONF_EXPRESS_MAX_JOBS: 10,
        CONF_MANAGED_QUEUES: ["thumbnailGeneration", "videoConversion", "smartSearch"],
    }
    rules.update(changes)
    return rules


async def test_options_rules_then_priority(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The user sets the rules, then ranks the managed queues with drop-downs."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    assert result["step_id"] == "init"
    managed_choices = (
        result["data_schema"].schema[CONF_MANAGED_QUEUES].config["options"]
    )
    values = [choice["value"] for choice in managed_choices]
    assert "backgroundTask" not in values
    assert "thumbnailGeneration" in values
    assert {
        "value": "thumbnailGeneration",
        "label": "Thumbnail generation",
    } in managed_choices

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], _rules(**{CONF_MANAGED_QUEUES: []})
    )
    assert result["errors"] == {CONF_MANAGED_QUEUES: "no_managed_queues"}

    result = await hass.config_entries.options.async_configure(
        result["flow_id"], _rules()
    )
    assert result["step_id"] == "priority"
    # Pre-filled in the current order, restricted to the managed queues.
    assert [str(key) for key in result["data_schema"].schema] == [
        "priority_1",
        "priority_2",
        "priority_3",
    ]
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "priority_1": "videoConversion",
            "priority_2": "videoConversion",
            "priority_3": "smartSearch",
        },
    )
    # Three ranks changed and Video conversion twice: no move can be read from that.
    assert result["errors"] == {"base": "priority_duplicate"}
    assert result["description_placeholders"] == {
        "duplicates": "Video conversion",
        "missing": "Thumbnail generation",
    }
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {
            "priority_1": "videoConversion",
            "priority_2": "thumbnailGeneration",
            "priority_3": "smartSearch",
        },
    )
    result = await submit_house_as_shown(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    options = loaded_entry.options
    # The limit is the running integration's: it survived the reload, and is no option.
    assert CONF_MAX_RUNNING not in options
    assert hass.states.get("number.immich_127_0_0_1_max_concurrent_queues").state == "2"
    assert options[CONF_POLL_INTERVAL] == 15
    assert options[CONF_POLICY] == "finish_first"
    assert options[CONF_PRIORITY][:3] == [
        "videoConversion",
        "thumbnailGeneration",
        "smartSearch",
    ]
    # Every other queue keeps a rank after them.
    assert "metadataExtraction" in options[CONF_PRIORITY]
    # The managed set changed, so the entry was reloaded and entities follow it.
    assert loaded_entry.state is ConfigEntryState.LOADED
    assert (
        hass.states.get("switch.immich_127_0_0_1_metadata_extraction_allowed") is None
    )
    assert (
        hass.states.get("switch.immich_127_0_0_1_video_conversion_allowed") is not None
    )


async def _to_priority_step(hass: HomeAssistant, entry: MockConfigEntry) -> dict:
    """Submit the rules unchanged (every default managed queue); return the priority step."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    managed = list(result["data_schema"]({})[CONF_MANAGED_QUEUES])
    return await hass.config_entries.options.async_configure(
        result["flow_id"], _rules(**{CONF_MANAGED_QUEUES: managed})
    )


async def _choose_ranks(hass: HomeAssistant, result: dict, **chosen: str) -> dict:
    """Submit the priority step as shown but for the ranks `chosen`; return what follows."""
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {**form_as_shown(result), **chosen}
    )


# The add-on's order of the ten queues managed by default.
DEFAULT_ORDER = [
    "sidecar",
    "metadataExtraction",
    "storageTemplateMigration",
    "thumbnailGeneration",
    "smartSearch",
    "duplicateDetection",
    "faceDetection",
    "facialRecognition",
    "videoConversion",
    "ocr",
]


async def test_priority_moving_the_ninth_queue_first_is_one_change(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Choosing Video conversion (9th) at rank 1 moves it there; the others shift down."""
    result = await _to_priority_step(hass, loaded_entry)
    assert result["step_id"] == "priority"
    assert list(form_as_shown(result).values()) == DEFAULT_ORDER
    result = await _choose_ranks(hass, result, priority_1="videoConversion")
    result = await submit_house_as_shown(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options[CONF_PRIORITY][:10] == [
        "videoConversion",
        "sidecar",
        "metadataExtraction",
        "storageTemplateMigration",
        "thumbnailGeneration",
        "smartSearch",
        "duplicateDetection",
        "faceDetection",
        "facialRecognition",
        "ocr",
    ]


async def test_priority_moving_a_queue_down(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Choosing Sidecar metadata (1st) at rank 3 puts it after the two that followed it."""
    result = await _to_priority_step(hass, loaded_entry)
    result = await _choose_ranks(hass, result, priority_3="sidecar")
    await submit_house_as_shown(hass, result)
    assert loaded_entry.options[CONF_PRIORITY][:4] == [
        "metadataExtraction",
        "storageTemplateMigration",
        "sidecar",
        "thumbnailGeneration",
    ]


async def test_priority_two_conflicting_changes_name_the_queues(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """OCR chosen at ranks 1 and 2: the error names it and the two queues left out."""
    result = await _to_priority_step(hass, loaded_entry)
    before = dict(loaded_entry.options)
    result = await _choose_ranks(hass, result, priority_1="ocr", priority_2="ocr")
    assert result["errors"] == {"base": "priority_duplicate"}
    assert result["description_placeholders"] == {
        "duplicates": "OCR",
        "missing": "Sidecar metadata, Metadata extraction",
    }
    assert dict(loaded_entry.options) == before


def _select_with_reorder() -> AbstractContextManager[object]:
    """Let the select selector take `reorder`, as a Home Assistant offering it would.

    The schema is wrapped, not extended: Home Assistant 2026 builds it with probatio, whose
    selector schemas cannot be extended.
    """
    original = SelectSelector.CONFIG_SCHEMA

    def with_reorder(config: dict[str, Any]) -> dict[str, Any]:
        rest = {key: value for key, value in config.items() if key != "reorder"}
        return {**original(rest), "reorder": bool(config.get("reorder", False))}

    return patch.object(SelectSelector, "CONFIG_SCHEMA", staticmethod(with_reorder))


async def test_priority_by_drag_and_drop_where_the_selector_can_reorder(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """With `reorder`, one list to drag into order; a queue dropped from it is named."""
    with _select_with_reorder():
        result = await _to_priority_step(hass, loaded_entry)
        assert result["step_id"] == "priority_list"
        field = result["data_schema"].schema[CONF_PRIORITY]
        assert field.config["reorder"] is True
        assert field.config["multiple"] is True
        assert result["data_schema"]({})[CONF_PRIORITY] == DEFAULT_ORDER
        without_ocr = ["videoConversion", *DEFAULT_ORDER[:8]]
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PRIORITY: without_ocr}
        )
        assert result["errors"] == {"base": "priority_missing"}
        assert result["description_placeholders"]["missing"] == "OCR"
        result = await hass.config_entries.options.async_configure(
            result["flow_id"], {CONF_PRIORITY: [*without_ocr, "ocr"]}
        )
        result = await submit_house_as_shown(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert loaded_entry.options[CONF_PRIORITY][:2] == ["videoConversion", "sidecar"]


async def test_options_without_managed_change_do_not_reload(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """Changing only the limit applies without reloading the entry."""
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    managed = list(result["data_schema"]({})[CONF_MANAGED_QUEUES])
    with patch.object(hass.config_entries, "async_schedule_reload") as reload:
        result = await hass.config_entries.options.async_configure(
            result["flow_id"],
            _rules(**{CONF_MANAGED_QUEUES: managed, CONF_MAX_RUNNING: 3}),
        )
        result = await _choose_ranks(hass, result)
        result = await submit_house_as_shown(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    reload.assert_not_called()
    await hass.async_block_till_done()
    assert CONF_MAX_RUNNING not in loaded_entry.options
    assert hass.states.get("number.immich_127_0_0_1_max_concurrent_queues").state == "3"


async def test_options_when_entry_not_loaded(
    hass: HomeAssistant, config_entry: MockConfigEntry
) -> None:
    """Options can be set before the server could be read: every known queue is offered."""
    config_entry.add_to_hass(hass)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    values = [
        choice["value"]
        for choice in result["data_schema"]
        .schema[CONF_MANAGED_QUEUES]
        .config["options"]
    ]
    assert values[:3] == ["sidecar", "metadataExtraction", "storageTemplateMigration"]
    assert "backgroundTask" not in values


async def _to_house_step(hass: HomeAssistant, entry: MockConfigEntry) -> dict:
    """Submit the rules and the order unchanged; return the house step."""
    return await _choose_ranks(hass, await _to_priority_step(hass, entry))


def _suggested(schema: Any) -> dict[str, Any]:
    """Return the values a form shows, by section."""
    shown: dict[str, Any] = {}
    for key, value in schema.schema.items():
        if isinstance(value, section):
            shown[str(key)] = _suggested(value.schema)
        elif key.description and "suggested_value" in key.description:
            shown[str(key)] = key.description["suggested_value"]
    return shown


def _collapsed(result: dict) -> dict[str, bool]:
    return {
        str(key): value.options["collapsed"]
        for key, value in result["data_schema"].schema.items()
        if isinstance(value, section)
    }


def _house(**sections: Any) -> dict[str, Any]:
    """Return the house step's answers: every section as left alone, then these."""
    answers: dict[str, Any] = {
        "server": {"work_when": "on"},
        "condition_1": {"work_when": "on"},
        "condition_2": {"work_when": "on"},
        "condition_3": {"work_when": "on"},
        "condition_min_minutes": 5,
        "uploads": {
            "upload_quiet": True,
            "upload_quiet_minutes": 5,
            "upload_max_hold_minutes": 30,
        },
        "groups": {},
    }
    for name, fields in sections.items():
        answers[name] = (
            {**answers[name], **fields} if isinstance(fields, dict) else fields
        )
    return answers


async def _error_text(hass: HomeAssistant, result: dict) -> dict[str, str]:
    """Return the form's errors as the user reads them (English), by where they show."""
    translations = await async_get_translations(hass, "en", "options", {DOMAIN})
    return {
        where: translations[f"component.{DOMAIN}.options.error.{key}"].format(
            **result["description_placeholders"]
        )
        for where, key in result["errors"].items()
    }


async def test_options_house_step_saves_conditions_quiet_period_and_groups(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """The third step: conditions for the server and per queue, uploads, a group."""
    result = await _to_house_step(hass, loaded_entry)
    assert result["step_id"] == "house"
    schema = result["data_schema"].schema
    server = schema["server"].schema.schema
    assert server["entity"].config["domain"] == [
        "schedule",
        "input_boolean",
        "binary_sensor",
    ]
    # Nothing set yet: every section starts collapsed, the form is short.
    assert _collapsed(result) == {
        "server": True,
        "condition_1": True,
        "condition_2": True,
        "condition_3": True,
        "uploads": True,
        "groups": True,
    }
    # Heavy by default: video conversion and the machine-learning queues.
    assert _suggested(result["data_schema"])["uploads"]["heavy_queues"] == [
        "smartSearch",
        "faceDetection",
        "videoConversion",
        "ocr",
    ]
    uploads = schema["uploads"].schema.schema
    heavy_choices = [c["value"] for c in uploads["heavy_queues"].config["options"]]
    assert "thumbnailGeneration" not in heavy_choices
    assert "metadataExtraction" not in heavy_choices
    assert "videoConversion" in heavy_choices
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        _house(
            server={"entity": "binary_sensor.plex_streaming", "work_when": "off"},
            condition_1={
                "entity": "schedule.immich_night",
                "queues": ["videoConversion", "ocr"],
            },
            condition_min_minutes=10,
            uploads={
                "heavy_queues": ["videoConversion"],
                "upload_quiet_minutes": 15,
                "upload_max_hold_minutes": 45,
            },
            groups={"group_1": ["smartSearch", "faceDetection", "ocr"]},
        ),
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # The options stay flat, as before the form had sections.
    options = loaded_entry.options
    assert options["server_condition"] == {
        "entity_id": "binary_sensor.plex_streaming",
        "work_when": "off",
    }
    assert options["queue_conditions"] == {
        "videoConversion": {"entity_id": "schedule.immich_night", "work_when": "on"},
        "ocr": {"entity_id": "schedule.immich_night", "work_when": "on"},
    }
    assert options["condition_min_minutes"] == 10
    assert options["upload_quiet"] is True
    assert options["heavy_queues"] == ["videoConversion"]
    assert options["upload_quiet_minutes"] == 15
    assert options["upload_max_hold_minutes"] == 45
    assert options["never_together"] == [["smartSearch", "faceDetection", "ocr"]]

    # Opened again, the form shows what was saved, in open sections.
    result = await _to_house_step(hass, loaded_entry)
    shown = _suggested(result["data_schema"])
    assert shown["server"] == {
        "entity": "binary_sensor.plex_streaming",
        "work_when": "off",
    }
    assert shown["condition_1"] == {
        "entity": "schedule.immich_night",
        "work_when": "on",
        "queues": ["videoConversion", "ocr"],
    }
    assert shown["groups"] == {"group_1": ["smartSearch", "faceDetection", "ocr"]}
    assert shown["uploads"]["heavy_queues"] == ["videoConversion"]
    assert shown["uploads"]["upload_max_hold_minutes"] == 45
    assert _collapsed(result) == {
        "server": False,
        "condition_1": False,
        "condition_2": True,
        "condition_3": True,
        "uploads": False,
        "groups": False,
    }


# Options an entry saved before the house step had sections (issue 16's flat keys).
SAVED_BEFORE_SECTIONS: dict[str, Any] = {
    "poll_interval": 15,
    "policy": "finish_first",
    "express_lane": True,
    "express_max_jobs": 25,
    "managed_queues": ["thumbnailGeneration", "smartSearch", "ocr", "videoConversion"],
    "priority": [
        "videoConversion",
        "thumbnailGeneration",
        "smartSearch",
        "ocr",
        "sidecar",
    ],
    "server_condition": {"entity_id": "input_boolean.box_free", "work_when": "on"},
    "queue_conditions": {
        "videoConversion": {"entity_id": "schedule.immich_night", "work_when": "on"},
        "ocr": {"entity_id": "binary_sensor.plex_streaming", "work_when": "off"},
    },
    "condition_min_minutes": 7,
    "upload_quiet": False,
    "heavy_queues": ["videoConversion"],
    "upload_quiet_minutes": 20,
    "never_together": [["smartSearch", "ocr"]],
}


async def test_options_saved_before_sections_survive_the_form(
    hass: HomeAssistant, immich: SimulatedImmich, config_entry: MockConfigEntry
) -> None:
    """An entry's existing options load into the sections and are saved back unchanged."""
    config_entry.add_to_hass(hass)
    hass.config_entries.async_update_entry(config_entry, options=SAVED_BEFORE_SECTIONS)
    assert await hass.config_entries.async_setup(config_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    result = await hass.config_entries.options.async_init(config_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form_as_shown(result)
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], form_as_shown(result)
    )
    assert result["step_id"] == "house"
    assert _suggested(result["data_schema"]) == {
        "server": {"entity": "input_boolean.box_free", "work_when": "on"},
        "condition_1": {
            "entity": "schedule.immich_night",
            "work_when": "on",
            "queues": ["videoConversion"],
        },
        "condition_2": {
            "entity": "binary_sensor.plex_streaming",
            "work_when": "off",
            "queues": ["ocr"],
        },
        "condition_3": {},
        "condition_min_minutes": 7,
        "uploads": {
            "upload_quiet": False,
            "heavy_queues": ["videoConversion"],
            "upload_quiet_minutes": 20,
        },
        "groups": {"group_1": ["smartSearch", "ocr"]},
    }
    result = await submit_house_as_shown(hass, result)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    # Saved before the longest hold existed: the form adds it at its default, 30 minutes.
    assert dict(config_entry.options) == {
        **SAVED_BEFORE_SECTIONS,
        "upload_max_hold_minutes": 30,
    }


@pytest.mark.parametrize(
    ("answers", "where", "text"),
    [
        (
            {
                "condition_1": {
                    "entity": "schedule.immich_night",
                    "queues": ["videoConversion"],
                },
                "condition_2": {
                    "entity": "input_boolean.box_free",
                    "queues": ["ocr", "videoConversion"],
                },
            },
            "condition_2",
            "More than one condition for Video conversion: give each queue at most one.",
        ),
        (
            {"condition_1": {"entity": "schedule.immich_night"}},
            "condition_1",
            "Choose the queues this entity allows.",
        ),
        (
            {"condition_2": {"queues": ["ocr"]}},
            "condition_2",
            "Choose the entity that allows these queues.",
        ),
        (
            {"groups": {"group_1": ["ocr"]}},
            "groups",
            "A group needs two queues or more. OCR is alone in its group.",
        ),
        (
            {
                "groups": {
                    "group_1": ["ocr", "smartSearch"],
                    "group_2": ["faceDetection", "ocr"],
                }
            },
            "groups",
            "In more than one group: OCR. A queue may be in one group only.",
        ),
        (
            {"uploads": {"upload_quiet_minutes": 2.5}},
            "uploads",
            "Enter a whole number.",
        ),
        (
            {"uploads": {"upload_quiet_minutes": 0}},
            "uploads",
            "Choose from 1 to 120 minutes.",
        ),
        (
            {"condition_min_minutes": 61},
            "condition_min_minutes",
            "Choose from 1 to 60 minutes.",
        ),
        (
            {"uploads": {"upload_max_hold_minutes": 4}},
            "uploads",
            "Choose from 5 to 240 minutes.",
        ),
    ],
    ids=[
        "queue_in_two_conditions",
        "entity_without_queues",
        "queues_without_entity",
        "group_of_one",
        "queue_in_two_groups",
        "fraction_of_a_minute",
        "quiet_time_too_short",
        "minimum_time_too_long",
        "longest_hold_too_short",
    ],
)
async def test_options_house_step_refuses_what_cannot_work(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    answers: dict[str, Any],
    where: str,
    text: str,
) -> None:
    """Each mistake shows beside its field or atop its section, opened; nothing is saved."""
    before = dict(loaded_entry.options)
    result = await _to_house_step(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], _house(**answers)
    )
    assert result["step_id"] == "house"
    assert await _error_text(hass, result) == {where: text}
    if where in _collapsed(result):
        assert _collapsed(result)[where] is False
    assert dict(loaded_entry.options) == before


async def test_options_rules_numbers_out_of_range_name_the_range(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A number out of range is refused beside its field, saying the range; nothing saved."""
    before = dict(loaded_entry.options)
    result = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        _rules(
            **{CONF_MAX_RUNNING: 13, CONF_POLL_INTERVAL: 1, CONF_EXPRESS_MAX_JOBS: 0}
        ),
    )
    assert result["step_id"] == "init"
    assert await _error_text(hass, result) == {
        CONF_MAX_RUNNING: "Choose from 0 to 12 queues.",
        CONF_POLL_INTERVAL: "Choose from 2 to 300 seconds.",
        CONF_EXPRESS_MAX_JOBS: "Choose from 1 to 1000 jobs.",
    }
    assert dict(loaded_entry.options) == before


async def test_options_house_step_refuses_other_entities(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """A light is not a condition: the form refuses it, nothing is saved."""
    before = dict(loaded_entry.options)
    result = await _to_house_step(hass, loaded_entry)
    with pytest.raises(InvalidData):
        await hass.config_entries.options.async_configure(
            result["flow_id"], _house(server={"entity": "light.kitchen"})
        )
    assert dict(loaded_entry.options) == before


async def test_the_demos_bench_variants_save_the_options_they_name(
    hass: HomeAssistant, loaded_entry: MockConfigEntry
) -> None:
    """`scripts/demo --quiet-period off --server-condition … --condition-min-minutes 1`.

    The real bench starts its variants this way: the answers go into the form's sections,
    the rest of the form as shown, and the options say what the command line said.
    """
    args = parse_args(list(VARIANTS["ours_condition"].demo_args or ()))
    result = await _to_house_step(hass, loaded_entry)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], answered(form_as_shown(result), Demo(args).house())
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    options = loaded_entry.options
    assert options["upload_quiet"] is False
    assert options["server_condition"] == {
        "entity_id": "input_boolean.immich_box_free",
        "work_when": "on",
    }
    assert options["condition_min_minutes"] == 1
    # What the command line did not name stays as shown.
    assert options["upload_quiet_minutes"] == 5
    assert options["heavy_queues"] == [
        "smartSearch",
        "faceDetection",
        "videoConversion",
        "ocr",
    ]
