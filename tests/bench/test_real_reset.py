"""The real bench leaves a server as it found it, and keeps off a server with someone's photos."""

from __future__ import annotations

from bench.real.reset import plan_reset, refusal
from custom_components.immich_jobs.immich import QueueStatus


def q(name: str, *, is_paused: bool) -> QueueStatus:
    """Return an empty queue, paused or not."""
    return QueueStatus(
        name=name,
        active=0,
        waiting=0,
        paused=0,
        delayed=0,
        failed=0,
        is_paused=is_paused,
    )


QUEUES = {
    "backgroundTask": q(
        "backgroundTask", is_paused=True
    ),  # the add-on pauses these too
    "thumbnailGeneration": q("thumbnailGeneration", is_paused=False),
    "videoConversion": q("videoConversion", is_paused=True),
}


def test_reset_resumes_every_paused_queue_and_deletes_its_own_assets() -> None:
    """After the add-on: both paused queues resumed, the two uploads deleted, trash emptied."""
    plan = plan_reset(["b-id", "a-id"], QUEUES, server_was_empty=True)
    assert plan.resume == ("backgroundTask", "videoConversion")
    assert plan.delete == ("a-id", "b-id")
    assert plan.empty_trash


def test_reset_leaves_the_owners_trash_alone_on_a_shared_server() -> None:
    """With assets of someone else on the server, the trash (theirs too) is not emptied."""
    plan = plan_reset(["a-id"], QUEUES, server_was_empty=False)
    assert not plan.empty_trash
    assert plan.delete == ("a-id",)


def test_refuses_a_server_with_assets_of_its_own() -> None:
    """Three assets, none the bench's: refused, and the message names the way out."""
    why = refusal(3, [], allow_existing=False)
    assert why is not None
    assert "3 asset(s)" in why
    assert "--allow-existing-assets" in why


def test_runs_when_told_to_or_when_only_its_own_assets_are_left() -> None:
    """Told to: runs. An interrupted run's 25 uploads are the bench's own: runs."""
    assert refusal(3, [], allow_existing=True) is None
    assert refusal(25, [f"id-{i}" for i in range(25)], allow_existing=False) is None
    assert refusal(0, [], allow_existing=False) is None
