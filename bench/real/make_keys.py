"""Create the admin user and the two API keys of the real bench (keys.json). Stdlib only."""

from collections.abc import Mapping
import json
from pathlib import Path
import sys
import urllib.request


def _post(
    url: str, body: Mapping[str, object], token: str | None = None
) -> dict[str, object]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    with urllib.request.urlopen(req) as resp:  # noqa: S310 - loopback only
        result: dict[str, object] = json.load(resp)
        return result


def main(base: str, out: str) -> None:
    """Sign up the admin, log in, and write {"all": key, "queues": key} to out."""
    cred = {"email": "admin@example.com", "password": "bench-admin-pw"}
    _post(f"{base}/auth/admin-sign-up", {**cred, "name": "Admin"})
    token = str(_post(f"{base}/auth/login", cred)["accessToken"])
    keys = {
        "all": _post(
            f"{base}/api-keys", {"name": "bench-all", "permissions": ["all"]}, token
        ),
        "queues": _post(
            f"{base}/api-keys",
            {
                "name": "bench-queues",
                "permissions": ["job.read", "job.create", "queue.read", "queue.update"],
            },
            token,
        ),
    }
    with Path(out).open("w", encoding="utf-8") as fh:
        json.dump({name: key["secret"] for name, key in keys.items()}, fh)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
