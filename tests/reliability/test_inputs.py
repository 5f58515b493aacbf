"""Bad inputs: every config-flow field, the options, the number and the actions.

For each input the suite asserts that it is refused with the error the user reads, that
nothing changed (no entry created, options and Immich untouched), that nothing escaped to the
log as an unhandled error, and that the API key is in no log record.
"""

from __future__ import annotations

from collections.abc import Callable
import math
from typing import Any

import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
import voluptuous as vol

from custom_components.immich_jobs.const import (
    CONF_EXPRESS_LANE,
    CONF_EXPRESS_MAX_JOBS,
    CONF_MANAGED_QUEUES,
    CONF_MAX_RUNNING,
    CONF_POLICY,
    CONF_POLL_INTERVAL,
    DOMAIN,
)
from custom_components.immich_jobs.engine.queues import DEFAULT_MANAGED
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import CONF_API_KEY, CONF_URL, CONF_VERIFY_SSL
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import ServiceValidationError
from simulator.server import SimulatedImmich

from .conftest import Results
from .harness import SECRET, assert_clean_log

# (id, URL built from the simulator's base URL, error shown, whether a request may be sent)
URLS: list[tuple[str, str, str, bool]] = [
    ("ftp_scheme", "ftp://{host}", "invalid_scheme", False),
    ("javascript_scheme", "javascript:alert(1)", "invalid_scheme", False),
    ("no_scheme", "{host}", "invalid_scheme", False),
    ("credentials", "http://admin:secret@{host}", "credentials_in_url", False),
    ("password_only", "http://:secret@{host}", "credentials_in_url", False),
    ("trailing_path", "http://{host}/photos", "invalid_url", False),
    ("api_subpath", "http://{host}/api/jobs", "invalid_url", False),
    ("query", "http://{host}/?next=/admin", "invalid_url", False),
    ("fragment", "http://{host}/#jobs", "invalid_url", False),
    ("unicode_path", "http://{host}/фото", "invalid_url", False),
    ("empty", "", "invalid_url", False),
    ("blank", "   ", "invalid_url", False),
    ("no_host", "http://", "missing_host", False),
    ("port_out_of_range", "http://127.0.0.1:99999", "invalid_url", False),
    ("port_zero", "http://127.0.0.1:0", "invalid_url", False),
    ("broken_ipv6", "http://[::1", "invalid_url", False),
    ("enormous", "http://" + "a" * 100_000 + ".example", "invalid_url", False),
    ("unicode_host", "http://фото.invalid:2283", "cannot_connect", False),
    ("unknown_host", "http://immich.invalid:2283", "cannot_connect", False),
    ("https_to_plain_http", "https://{host}", "tls_error", True),
]

# (id, API key, error shown)
KEYS: list[tuple[str, str, str]] = [
    ("empty", "", "invalid_auth"),
    ("blank", "   ", "invalid_auth"),
    ("unicode", "clé-🔑-ключ", "invalid_auth"),
    ("spaces", "sim key all", "invalid_auth"),
    ("header_injection", "abc\r\nX-Api-Key: sim-key-all", "invalid_auth"),
    ("unknown", "not-a-key-immich-knows", "invalid_auth"),
    ("enormous", SECRET + "x" * 100_000, "invalid_auth"),
]


@pytest.fixture
def record_refusal(
    caplog: pytest.LogCaptureFixture, results: Results, request: pytest.FixtureRequest
) -> Callable[..., None]:
    """Check the log stayed clean and record what was checked for this input.

    Named `{kind}_{the test case's id}`, or `name` where given.
    """

    def record(kind: str, *checked: str, name: str | None = None) -> None:
        found = ["refused_with_translated_error", *checked]
        found += assert_clean_log(caplog, outages=0)
        results.record("input", name or f"{kind}_{request.node.callspec.id}", found)

    return record


async def _user_form(hass: HomeAssistant, url: str, key: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {CONF_URL: url, CONF_API_KEY: key, CONF_VERIFY_SSL: True}
    )


@pytest.mark.parametrize(
    ("url", "error", "may_send"),
    [case[1:] for case in URLS],
    ids=[case[0] for case in URLS],
)
async def test_bad_url(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    api_key: str,
    record_refusal: Callable[..., None],
    url: str,
    error: str,
    may_send: bool,
) -> None:
    """An address that is not an Immich base URL is refused, mostly before any request."""
    url = url.format(host=immich.url.removeprefix("http://"))
    result = await _user_form(hass, url, api_key)
    assert result["type"] is FlowResultType.FORM
    expected_field = "base" if error in {"cannot_connect", "tls_error"} else CONF_URL
    assert result["errors"] == {expected_field: error}
    checked = ["nothing_created"]
    assert not hass.config_entries.async_entries(DOMAIN)
    if not may_send:
        assert immich.requests == [], "refused before reaching Immich"
        checked.append("no_request_sent")
    record_refusal("url", *checked)


@pytest.mark.parametrize(
    ("key", "error"), [case[1:] for case in KEYS], ids=[case[0] for case in KEYS]
)
async def test_bad_key(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    api_key: str,
    record_refusal: Callable[..., None],
    key: str,
    error: str,
) -> None:
    """A key Immich cannot accept is refused; a malformed one never leaves Home Assistant."""
    result = await _user_form(hass, immich.url, key)
    field = CONF_API_KEY if error == "invalid_auth" else "base"
    assert result["errors"] == {field: error}
    assert not hass.config_entries.async_entries(DOMAIN)
    keyed = [r for r in immich.requests if r.key is not None]
    checked = ["nothing_created"]
    if (
        key.strip() != key
        or not key.isascii()
        or " " in key
        or not key
        or len(key) > 1024
    ):
        assert keyed == [], "a malformed key is never sent"
        checked.append("no_request_sent")
    record_refusal("key", *checked)


def _options(**change: Any) -> dict[str, Any]:
    return {
        CONF_MAX_RUNNING: 1,
        CONF_POLL_INTERVAL: 10,
        CONF_POLICY: "preemptive",
        CONF_EXPRESS_LANE: True,
        CONF_EXPRESS_MAX_JOBS: 25,
        CONF_MANAGED_QUEUES: sorted(DEFAULT_MANAGED),
        **change,
    }


WHOLE = "whole_number"
# (id, options step input, form errors or None when the schema refuses it)
OPTIONS: list[tuple[str, dict[str, Any], dict[str, str] | None]] = [
    ("max_running_negative", _options(max_running=-1), None),
    ("max_running_too_high", _options(max_running=13), None),
    ("max_running_text", _options(max_running="two"), None),
    ("poll_interval_zero", _options(poll_interval=0), None),
    ("poll_interval_below_min", _options(poll_interval=1), None),
    ("poll_interval_too_high", _options(poll_interval=301), None),
    ("poll_interval_text", _options(poll_interval="fast"), None),
    ("express_max_jobs_zero", _options(express_max_jobs=0), None),
    ("express_max_jobs_too_high", _options(express_max_jobs=1001), None),
    ("policy_unknown", _options(policy="random"), None),
    ("max_running_nan", _options(max_running=math.nan), {CONF_MAX_RUNNING: WHOLE}),
    ("max_running_fraction", _options(max_running=1.5), {CONF_MAX_RUNNING: WHOLE}),
    (
        "poll_interval_fraction",
        _options(poll_interval=10.5),
        {CONF_POLL_INTERVAL: WHOLE},
    ),
    (
        "express_max_jobs_nan",
        _options(express_max_jobs=math.nan),
        {CONF_EXPRESS_MAX_JOBS: WHOLE},
    ),
    (
        "managed_none",
        _options(managed_queues=[]),
        {CONF_MANAGED_QUEUES: "no_managed_queues"},
    ),
    ("managed_internal", _options(managed_queues=["backgroundTask"]), None),
    ("managed_unknown", _options(managed_queues=["noSuchQueue"]), None),
]


@pytest.mark.parametrize(
    ("user_input", "error"),
    [case[1:] for case in OPTIONS],
    ids=[case[0] for case in OPTIONS],
)
async def test_options_out_of_range(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    record_refusal: Callable[..., None],
    user_input: dict[str, Any],
    error: dict[str, str] | None,
) -> None:
    """Options outside their range are refused; the options in force stay as they were."""
    before = dict(loaded_entry.options)
    commands = immich.count("PUT")
    flow = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    if error is None:
        with pytest.raises(InvalidData):
            await hass.config_entries.options.async_configure(
                flow["flow_id"], user_input
            )
    else:
        result = await hass.config_entries.options.async_configure(
            flow["flow_id"], user_input
        )
        assert result["errors"] == error
    await hass.async_block_till_done()
    assert dict(loaded_entry.options) == before
    assert immich.count("PUT") == commands
    record_refusal("options", "nothing_changed")


async def test_priority_not_a_permutation(
    hass: HomeAssistant,
    loaded_entry: MockConfigEntry,
    record_refusal: Callable[..., None],
) -> None:
    """The same queue at two ranks is refused on the priority step."""
    before = dict(loaded_entry.options)
    flow = await hass.config_entries.options.async_init(loaded_entry.entry_id)
    managed = ["thumbnailGeneration", "smartSearch", "videoConversion"]
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"], _options(managed_queues=managed)
    )
    assert result["step_id"] == "priority"
    # Two ranks changed to the same queue: not a move, not an order.
    result = await hass.config_entries.options.async_configure(
        flow["flow_id"],
        {"priority_1": managed[2], "priority_2": managed[2], "priority_3": managed[2]},
    )
    assert result["errors"] == {"base": "priority_duplicate"}
    assert dict(loaded_entry.options) == before
    record_refusal("options", "nothing_changed", name="options_priority_duplicate")


MAX_RUNNING = "number.immich_127_0_0_1_max_concurrent_queues"


@pytest.mark.parametrize("value", [-1, 13, 1e9])
async def test_number_out_of_range(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    record_refusal: Callable[..., None],
    value: float,
) -> None:
    """The max-concurrent number refuses values outside 0-12 without touching Immich."""
    commands = immich.count("PUT")
    with pytest.raises(ServiceValidationError):
        await hass.services.async_call(
            "number",
            "set_value",
            {"entity_id": MAX_RUNNING, "value": value},
            blocking=True,
        )
    assert hass.states.get(MAX_RUNNING).state == "1"
    assert immich.count("PUT") == commands
    record_refusal("number", "nothing_changed", name=f"number_{value:g}")


# (id, action, data without the entry id, expected error, translation key or None)
ACTIONS: list[tuple[str, str, dict[str, Any], type[Exception], str | None]] = [
    ("start_unknown_queue", "start_queue", {"queue": "nope"}, ServiceValidationError, "unknown_queue"),
    ("start_path_queue", "start_queue", {"queue": "../../etc/passwd"}, ServiceValidationError, "unknown_queue"),
    ("start_empty_queue", "start_queue", {"queue": ""}, ServiceValidationError, "unknown_queue"),
    ("start_enormous_queue", "start_queue", {"queue": "q" * 100_000}, ServiceValidationError, "unknown_queue"),
    ("start_unicode_queue", "start_queue", {"queue": "vidéoConversion"}, ServiceValidationError, "unknown_queue"),
    ("start_internal_queue", "start_queue", {"queue": "backgroundTask"}, ServiceValidationError, "internal_queue"),
    ("start_bad_mode", "start_queue", {"queue": "thumbnailGeneration", "mode": "everything"}, vol.Invalid, None),
    ("clear_unknown_queue", "clear_failed", {"queue": "nope"}, ServiceValidationError, "unknown_queue"),
    ("start_unknown_server", "start_queue", {"queue": "ocr", "config_entry_id": "nope"}, ServiceValidationError, "entry_not_found"),
    ("clear_unknown_server", "clear_failed", {"queue": "ocr", "config_entry_id": ""}, ServiceValidationError, "entry_not_found"),
    ("pause_unknown_server", "pause_processing", {"config_entry_id": "nope"}, ServiceValidationError, "entry_not_found"),
    ("pause_negative", "pause_processing", {"duration": "-00:05:00"}, vol.Invalid, None),
    ("pause_zero", "pause_processing", {"duration": 0}, vol.Invalid, None),
    ("pause_text", "pause_processing", {"duration": "a while"}, vol.Invalid, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "data", "error", "key"),
    [case[1:] for case in ACTIONS],
    ids=[case[0] for case in ACTIONS],
)
async def test_bad_action(
    hass: HomeAssistant,
    immich: SimulatedImmich,
    loaded_entry: MockConfigEntry,
    record_refusal: Callable[..., None],
    action: str,
    data: dict[str, Any],
    error: type[Exception],
    key: str | None,
) -> None:
    """Actions naming unknown queues or servers, or bad values, fail with a clear error."""
    before = dict(loaded_entry.options)
    paused = {n for n, c in immich.model.snapshot().items() if c.is_paused}
    with pytest.raises(error) as raised:
        await hass.services.async_call(
            DOMAIN,
            action,
            {"config_entry_id": loaded_entry.entry_id, **data},
            blocking=True,
        )
    if key is not None:
        assert getattr(raised.value, "translation_key", None) == key
    await hass.async_block_till_done()
    assert dict(loaded_entry.options) == before
    assert {n for n, c in immich.model.snapshot().items() if c.is_paused} == paused
    record_refusal("action", "nothing_changed")
