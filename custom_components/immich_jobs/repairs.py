"""Repairs the user can fix from Home Assistant: internal queues someone left paused."""

from __future__ import annotations

from homeassistant.components.repairs import RepairsFlow
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant

from .compat import RepairsFlowResult, vol
from .coordinator import ImmichJobsConfigEntry
from .immich import ImmichError
from .runtime.issues import display_names, paused_internal_queues


class ResumeInternalQueuesFlow(RepairsFlow):
    """Resume Immich's internal queues, which Immich's own page offers no button for."""

    def __init__(self, entry_id: str) -> None:
        """Remember which server."""
        self.entry_id = entry_id

    async def async_step_init(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Go straight to the confirmation."""
        return await self.async_step_confirm()

    async def async_step_confirm(
        self, user_input: dict[str, str] | None = None
    ) -> RepairsFlowResult:
        """Resume them once the user agrees."""
        entry: ImmichJobsConfigEntry | None = self.hass.config_entries.async_get_entry(
            self.entry_id
        )
        if entry is None or entry.state is not ConfigEntryState.LOADED:
            return self.async_abort(reason="not_loaded")
        coordinator = entry.runtime_data
        queues = paused_internal_queues(coordinator.data.queues)
        if user_input is not None:
            try:
                await coordinator.async_resume_internal_queues()
            except ImmichError:
                return self.async_abort(reason="cannot_resume")
            return self.async_create_entry(data={})
        return self.async_show_form(
            step_id="confirm",
            data_schema=vol.Schema({}),
            description_placeholders={"queues": display_names(queues)},
        )


async def async_create_fix_flow(
    hass: HomeAssistant,
    issue_id: str,
    data: dict[str, str | int | float | None] | None,
) -> RepairsFlow:
    """Create the flow that fixes an issue raised by the coordinator."""
    entry_id = (data or {}).get("entry_id")
    return ResumeInternalQueuesFlow(str(entry_id))
