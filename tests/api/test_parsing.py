"""Parsing of real Immich v3.1.0 answers, and of the ways an answer can be wrong."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from custom_components.immich_jobs.immich import (
    ApiGeneration,
    InvalidResponse,
    KeyAccess,
    QueueStatus,
    ServerVersion,
)
from custom_components.immich_jobs.immich.parsing import (
    parse_error,
    parse_legacy_jobs,
    parse_legacy_queue,
    parse_permissions,
    parse_queue,
    parse_queues,
    parse_user,
    parse_version,
)

from .samples import body

V3_QUEUES = {
    "thumbnailGeneration",
    "metadataExtraction",
    "videoConversion",
    "faceDetection",
    "facialRecognition",
    "smartSearch",
    "duplicateDetection",
    "backgroundTask",
    "storageTemplateMigration",
    "migration",
    "search",
    "sidecar",
    "library",
    "notifications",
    "backupDatabase",
    "ocr",
    "workflow",
    "integrityCheck",
    "editor",
}


def test_legacy_idle_lists_every_queue() -> None:
    """Every v3.1 queue is read, internal and new ones included, all idle."""
    queues = parse_legacy_jobs(body("10-get-jobs-idle"))
    assert set(queues) == V3_QUEUES
    assert all(not q.is_paused and not q.has_work for q in queues.values())


def test_legacy_active_counts() -> None:
    """Counts land in the right fields (isActive is not read: active > 0 says it)."""
    queue = parse_legacy_jobs(body("36-get-jobs-while-active"))["thumbnailGeneration"]
    assert queue == QueueStatus(
        name="thumbnailGeneration",
        active=3,
        waiting=17,
        paused=0,
        delayed=0,
        failed=0,
        is_paused=False,
    )
    assert queue.busy
    assert queue.runnable == 17


def test_legacy_paused_backlog_sits_in_paused() -> None:
    """A paused queue's backlog is in `paused` and still counts as runnable."""
    queue = parse_legacy_jobs(body("32-get-jobs-while-paused"))["thumbnailGeneration"]
    assert queue.is_paused
    assert (queue.waiting, queue.paused, queue.runnable) == (0, 20, 20)


def test_legacy_paused_but_still_active() -> None:
    """Right after a pause, running jobs are still counted as active."""
    queue = parse_legacy_jobs(body("51-get-jobs-paused-but-still-active"))[
        "thumbnailGeneration"
    ]
    assert queue.is_paused
    assert queue.active == 3
    assert queue.paused == 38


@pytest.mark.parametrize(
    ("legacy", "new"),
    [
        ("10-get-jobs-idle", "11-get-queues-idle"),
        ("32-get-jobs-while-paused", "33-get-queues-while-paused"),
        ("45-get-jobs-final", "46-get-queues-final"),
    ],
)
def test_both_generations_agree(legacy: str, new: str) -> None:
    """The same server state reads the same through /api/jobs and /api/queues."""
    assert parse_queues(body(new)) == parse_legacy_jobs(body(legacy))


def test_single_queue_new_api() -> None:
    """`GET /api/queues/{name}` and the PUT answers carry the name."""
    queue = parse_queue(body("42-get-queue-thumbnail-paused-with-jobs"))
    assert queue.name == "thumbnailGeneration"
    assert queue.is_paused
    assert queue.paused == 1
    resumed = parse_queue(body("52-resume-midflight-response"))
    assert not resumed.is_paused
    assert (resumed.active, resumed.waiting) == (1, 37)


def test_single_queue_legacy_command_answer() -> None:
    """The legacy PUT answer has no name: the caller supplies it."""
    queue = parse_legacy_queue(
        "thumbnailGeneration", body("50-pause-midflight-response")
    )
    assert queue.name == "thumbnailGeneration"
    assert queue.is_paused
    assert (queue.active, queue.paused) == (3, 38)
    resumed = parse_legacy_queue("x", body("35-put-jobs-resume-thumbnailGeneration"))
    assert not resumed.is_paused
    assert resumed.waiting == 19


def test_unknown_queue_names_are_kept() -> None:
    """A queue from a future release is valid data, in both generations."""
    legacy = copy.deepcopy(body("10-get-jobs-idle"))
    legacy["futureQueue"] = copy.deepcopy(legacy["thumbnailGeneration"])
    assert "futureQueue" in parse_legacy_jobs(legacy)
    new = copy.deepcopy(body("11-get-queues-idle"))
    new.append({**copy.deepcopy(new[0]), "name": "futureQueue"})
    assert "futureQueue" in parse_queues(new)


BAD_COUNTS: list[Any] = [None, -1, 1.5, "3", True, [1]]


@pytest.mark.parametrize("value", BAD_COUNTS)
@pytest.mark.parametrize("field", ["active", "waiting", "paused", "delayed", "failed"])
def test_bad_count_is_an_error_not_zero(field: str, value: Any) -> None:
    """Missing, negative or non-integer counts make the whole answer invalid."""
    legacy = copy.deepcopy(body("36-get-jobs-while-active"))
    new = copy.deepcopy(body("11-get-queues-idle"))
    if value is None:
        del legacy["thumbnailGeneration"]["jobCounts"][field]
        del new[0]["statistics"][field]
    else:
        legacy["thumbnailGeneration"]["jobCounts"][field] = value
        new[0]["statistics"][field] = value
    with pytest.raises(InvalidResponse, match=field):
        parse_legacy_jobs(legacy)
    with pytest.raises(InvalidResponse, match=field):
        parse_queues(new)


def test_completed_is_ignored() -> None:
    """`completed` is always 0 in Immich and is not part of the model."""
    legacy = copy.deepcopy(body("10-get-jobs-idle"))
    del legacy["thumbnailGeneration"]["jobCounts"]["completed"]
    assert parse_legacy_jobs(legacy)["thumbnailGeneration"].active == 0


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: "<html>",
        lambda b: [],
        lambda b: {**b, "thumbnailGeneration": []},
        lambda b: {**b, "thumbnailGeneration": {"jobCounts": {}}},
        lambda b: {
            **b,
            "thumbnailGeneration": {**b["thumbnailGeneration"], "queueStatus": {}},
        },
        lambda b: {
            **b,
            "thumbnailGeneration": {
                **b["thumbnailGeneration"],
                "queueStatus": {"isPaused": "false"},
            },
        },
        lambda b: {
            **b,
            "thumbnailGeneration": {**b["thumbnailGeneration"], "jobCounts": None},
        },
    ],
)
def test_legacy_wrong_shapes(mutate: Any) -> None:
    """Shapes that are not Immich's are refused."""
    with pytest.raises(InvalidResponse):
        parse_legacy_jobs(mutate(copy.deepcopy(body("10-get-jobs-idle"))))


@pytest.mark.parametrize(
    "mutate",
    [
        lambda b: {"queues": b},
        lambda b: [*b, "x"],
        lambda b: [{**b[0], "name": ""}, *b[1:]],
        lambda b: [{**b[0], "name": 3}, *b[1:]],
        lambda b: [{**b[0], "isPaused": None}, *b[1:]],
        lambda b: [{**b[0], "statistics": "x"}, *b[1:]],
        lambda b: [*b, b[0]],
    ],
)
def test_queues_wrong_shapes(mutate: Any) -> None:
    """Wrong `/api/queues` shapes, including a queue listed twice, are refused."""
    with pytest.raises(InvalidResponse):
        parse_queues(mutate(copy.deepcopy(body("11-get-queues-idle"))))


def test_version_sample() -> None:
    """The recorded version answer reads as v3.1.0."""
    version = parse_version(body("70-get-server-version"))
    assert version == ServerVersion(3, 1, 0)
    assert str(version) == "v3.1.0"


def test_version_without_prerelease_field() -> None:
    """Before v3.0 the answer has no `prerelease`."""
    assert parse_version({"major": 1, "minor": 106, "patch": 4}) == ServerVersion(
        1, 106, 4
    )


@pytest.mark.parametrize(
    "answer",
    [
        [],
        {"major": 1, "minor": 106},
        {"major": "1", "minor": 106, "patch": 0},
        {"major": True, "minor": 106, "patch": 0},
        {"major": 1, "minor": -1, "patch": 0},
        {"major": 3, "minor": 0, "patch": 0, "prerelease": "rc1"},
        {"major": 3, "minor": 0, "patch": 0, "prerelease": -1},
    ],
)
def test_version_wrong_shapes(answer: Any) -> None:
    """A version answer that is not Immich's is refused."""
    with pytest.raises(InvalidResponse):
        parse_version(answer)


def test_version_ordering() -> None:
    """Releases order naturally; a pre-release comes before its release."""
    rc1 = ServerVersion(3, 0, 0, 1)
    rc2 = ServerVersion(3, 0, 0, 2)
    final = ServerVersion(3, 0, 0)
    assert ServerVersion(1, 106, 0) < ServerVersion(1, 137, 0) < ServerVersion(2, 4, 0)
    assert rc1 < rc2 < final
    assert final > rc2
    assert final >= ServerVersion(3, 0, 0)
    assert rc1 <= rc2
    assert not final < rc2
    assert str(rc1) == "v3.0.0-rc.1"
    assert sorted([final, rc2, rc1]) == [rc1, rc2, final]


def test_version_at_least_counts_prereleases() -> None:
    """A release candidate of v2.4.0 already has v2.4's API."""
    assert ServerVersion(2, 4, 0, 1).at_least(2, 4)
    assert ServerVersion(2, 4, 1).at_least(2, 4)
    assert not ServerVersion(2, 3, 9).at_least(2, 4)
    assert ServerVersion(1, 139, 0).at_least(1, 139)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v3.1.0", ServerVersion(3, 1, 0)),
        ("1.106.4", ServerVersion(1, 106, 4)),
        ("v3.0.0-rc.2", ServerVersion(3, 0, 0, 2)),
    ],
)
def test_version_parse(text: str, expected: ServerVersion) -> None:
    """Stored and displayed versions read back."""
    assert ServerVersion.parse(text) == expected


@pytest.mark.parametrize("text", ["", "v3", "3.1", "latest", "v3.1.0x", "9" * 5000])
def test_version_parse_rejects(text: str) -> None:
    """Anything that is not a version is refused without echoing it whole."""
    with pytest.raises(InvalidResponse) as err:
        ServerVersion.parse(text)
    assert len(str(err.value)) < 100


def test_user_sample() -> None:
    """`users/me` gives the id, e-mail and admin flag."""
    user = parse_user(body("77-get-users-me-all-key"))
    assert user.id == "29196514-7982-447c-8e27-4722a61e12ea"
    assert user.email == "admin@example.test"
    assert user.name == "Admin"
    assert user.is_admin is True


@pytest.mark.parametrize(
    "answer",
    [
        "x",
        {"email": "a@b"},
        {"id": "", "email": "a@b", "isAdmin": True},
        {"id": "u", "email": None, "isAdmin": True},
        {"id": "u", "email": "a@b"},
    ],
)
def test_user_wrong_shapes(answer: Any) -> None:
    """A user answer without id, e-mail or admin flag is refused."""
    with pytest.raises(InvalidResponse):
        parse_user(answer)


def test_user_name_optional() -> None:
    """A missing or odd name is not fatal."""
    assert parse_user({"id": "u", "email": "e", "isAdmin": False, "name": 3}).name == ""


@pytest.mark.parametrize(
    ("sample_name", "expected"),
    [
        (
            "78-get-api-keys-me-queues-key",
            {"job.read", "job.create", "queue.read", "queue.update"},
        ),
        ("79-get-api-keys-me-all-key", {"all"}),
        ("80-get-api-keys-me-no-queue-perms-key", {"asset.read", "asset.upload"}),
        ("81-get-api-keys-me-read-only-key", {"job.read", "queue.read"}),
    ],
)
def test_permissions_samples(sample_name: str, expected: set[str]) -> None:
    """`api-keys/me` lists the key's permissions."""
    assert parse_permissions(body(sample_name)) == expected


@pytest.mark.parametrize(
    "answer", [[], {}, {"permissions": "all"}, {"permissions": [1]}]
)
def test_permissions_wrong_shapes(answer: Any) -> None:
    """A key answer without a list of strings is refused."""
    with pytest.raises(InvalidResponse):
        parse_permissions(answer)


def test_error_v3_plain_message() -> None:
    """v3 errors carry a string message."""
    assert parse_error(body("28-pause-backgroundTask-new-api")) == (
        "The BackgroundTask queue cannot be paused",
        (),
    )
    assert parse_error(body("22-put-jobs-pause-readonly-key"))[0] == (
        "Missing required permission: job.create"
    )


def test_error_v3_validation_details() -> None:
    """v3 validation errors keep their individual messages as details."""
    message, details = parse_error(body("26-put-jobs-bad-command"))
    assert message == "Validation failed"
    assert len(details) == 1
    assert details[0].startswith("Invalid option")


def test_error_v1_list_message() -> None:
    """v1/v2 validation errors carry a list of strings as the message."""
    answer = {
        "message": ["command must be one of the following values: start, pause", 3],
        "error": "Bad Request",
        "statusCode": 400,
    }
    message, details = parse_error(answer)
    assert message == "command must be one of the following values: start, pause"
    assert details == ("command must be one of the following values: start, pause",)


@pytest.mark.parametrize("answer", [None, "oops", {"message": 3}, {}])
def test_error_without_message(answer: Any) -> None:
    """Bodies without a usable message give an empty one."""
    assert parse_error(answer) == ("", ())


def _access(**kwargs: Any) -> KeyAccess:
    values: dict[str, Any] = {
        "version": ServerVersion(3, 1, 0),
        "is_admin": True,
        "permissions": frozenset({"all"}),
        "missing_read": (),
        "missing_control": (),
        "read_api": ApiGeneration.QUEUES,
        "control_api": ApiGeneration.QUEUES,
    }
    values.update(kwargs)
    return KeyAccess(**values)


def test_key_access_flags() -> None:
    """can_read/can_control need the permissions and a user that is not known non-admin."""
    assert _access().can_read
    assert _access().can_control
    assert _access(is_admin=None).can_control
    assert not _access(is_admin=False).can_read
    assert not _access(is_admin=False).can_control
    assert not _access(missing_read=("job.read",)).can_read
    limited = _access(missing_control=("job.create",))
    assert limited.can_read
    assert not limited.can_control
