"""Turn client errors into the translated errors that actions show."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, Concatenate

from homeassistant.exceptions import HomeAssistantError

from .const import DOMAIN
from .entity import ImmichJobsEntity
from .immich import ImmichError


def translated_error(err: ImmichError) -> HomeAssistantError:
    """Say in the user's words why Immich did not do what was asked."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=err.reason,
        translation_placeholders=err.placeholders or None,
    )


def immich_action[_EntityT: ImmichJobsEntity, **_P](
    func: Callable[Concatenate[_EntityT, _P], Awaitable[Any]],
) -> Callable[Concatenate[_EntityT, _P], Coroutine[Any, Any, None]]:
    """Run an entity's action, translate Immich's errors, then show the new state."""

    @wraps(func)
    async def handler(self: _EntityT, *args: _P.args, **kwargs: _P.kwargs) -> None:
        try:
            await func(self, *args, **kwargs)
        except ImmichError as err:
            raise translated_error(err) from err

    return handler
