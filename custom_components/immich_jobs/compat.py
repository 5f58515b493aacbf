"""Names whose types differ between the Home Assistant generations the integration supports.

At run time nothing changes: ``voluptuous`` is imported as always (Home Assistant 2026 aliases
it to probatio, its validation library) and a repair flow's result is a flow result. Only the
type checker is told which library and result type the installed Home Assistant declares:
2026 runs on Python 3.14 (probatio, ``RepairsFlowResult``), 2025.4 on Python 3.13 (voluptuous,
``FlowResult``), so mypy picks the branch from the Python version it checks for.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    if sys.version_info >= (3, 14):
        import probatio as vol

        from homeassistant.components.repairs import RepairsFlowResult
    else:
        import voluptuous as vol

        from homeassistant.data_entry_flow import FlowResult as RepairsFlowResult
else:
    import voluptuous as vol

    from homeassistant.data_entry_flow import FlowResult as RepairsFlowResult

__all__ = ["RepairsFlowResult", "vol"]
