"""What Home Assistant's Marketplace (2026.11+) makes of this repository's metadata.

Run by tests/meta/test_marketplace.py with a Python whose Home Assistant has the Marketplace
(lane 2026's demo venv): ``python tests/meta/marketplace_reads.py ROOT``. It feeds hacs.json
and the integration's manifest.json through the Marketplace's own parsing and validation
(repositories/base.py, repositories/integration.py, utils/validate.py) and prints as JSON what
it read, what it ignored and what it refused. Exit code 3: no Marketplace in this Python.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
import sys
from types import SimpleNamespace
from typing import Any

NO_MARKETPLACE = 3
HOME_ASSISTANT = "2026.11.0"  # the release the Marketplace ships in


class Warnings(logging.Handler):
    """Keep the warnings the Marketplace logs (it logs what it ignores)."""

    def __init__(self) -> None:
        """Start empty."""
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep one."""
        self.messages.append(record.getMessage())


def read(root: Path) -> dict[str, Any]:
    """Return what the Marketplace reads, ignores and refuses."""
    from awesomeversion import AwesomeVersion  # noqa: PLC0415

    from homeassistant.components.marketplace.exceptions import (  # noqa: PLC0415
        MarketplaceError,
    )
    from homeassistant.components.marketplace.repositories import (  # noqa: PLC0415
        integration,
    )
    from homeassistant.components.marketplace.repositories.base import (  # noqa: PLC0415
        RepositoryManifest,
    )
    from homeassistant.components.marketplace.utils.logger import (  # noqa: PLC0415
        LOGGER,
    )
    from homeassistant.components.marketplace.utils.validate import (  # noqa: PLC0415
        REPOSITORY_MANIFEST_VALUES,
    )

    warnings = Warnings()
    LOGGER.addHandler(warnings)
    hacs = json.loads((root / "hacs.json").read_text())
    directory = root / "custom_components" / "immich_jobs"
    manifest = json.loads((directory / "manifest.json").read_text())

    # Only what it needs of the manager: where custom_components is, and its own version.
    marketplace = SimpleNamespace(
        core=SimpleNamespace(config_path="/config"),
        version=AwesomeVersion(HOME_ASSISTANT),
    )
    repository = integration.IntegrationRepository(
        marketplace, "immich-jobs/immich-jobs"
    )  # type: ignore[arg-type]
    repository.repository_manifest = RepositoryManifest.from_dict(hacs)
    repository._use_integration_manifest(manifest)  # noqa: SLF001
    repository.data.releases = True  # installed from tagged releases
    refused = [str(error.translation_key) for error in repository.validate.errors]
    try:
        integration._check_loadable_manifest(directory, repository.data.domain)  # noqa: SLF001
    except MarketplaceError as err:
        refused.append(str(err.translation_key))
    return {
        "hacs_ignored": sorted(set(hacs) - set(REPOSITORY_MANIFEST_VALUES)),
        "hacs_read": repository.repository_manifest.manifest,
        "warnings": warnings.messages,
        "refused": refused,
        "display_name": repository.display_name,
        "domain": repository.data.domain,
        "manifest_name": repository.data.manifest_name,
        "config_flow": repository.data.config_flow,
        "authors": repository.data.authors,
        "can_install": repository.can_install,
        "zip_release": repository.repository_manifest.zip_release,
        "content_in_root": repository.repository_manifest.content_in_root,
    }


def main() -> int:
    """Print what the Marketplace makes of the repository given."""
    try:
        import homeassistant.components.marketplace  # noqa: F401, PLC0415
    except ImportError:
        return NO_MARKETPLACE
    print(json.dumps(read(Path(sys.argv[1]))))  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
