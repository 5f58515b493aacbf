"""The simulator against Immich's own OpenAPI spec of each release it claims to be.

Profile vX.Y is checked against the spec Immich published with vX.Y.0 (copies, gzip-compressed,
in tests/fixtures/openapi/), for the operations the integration calls: which of them exist and
under which path parameter name, the permission and admin-only flag each needs, the queue names,
the success status, and the shape of every success body. The recorded v3.1.0 bodies are checked
against the v3.1.0 spec as well, so recordings, spec and simulator agree with one another.
"""

from __future__ import annotations

import functools
import gzip
import json
from pathlib import Path
import re
from typing import Any

import pytest

from simulator.model import THUMBNAIL_GENERATION
from simulator.profiles import PROFILES, Profile
from simulator.server import COMMANDS, KEY_ALL, KEY_NON_ADMIN, Route, SimulatedImmich

from .test_fidelity import request

type Json = Any
type Op = tuple[str, str]  # (method, path as the spec writes it, e.g. "/jobs/{id}")

FIXTURES = Path(__file__).parent.parent / "fixtures"
SPECS = FIXTURES / "openapi"
SAMPLES = FIXTURES / "immich-samples" / "v3.1.0"
THUMB = THUMBNAIL_GENERATION
EVERY_PROFILE = pytest.mark.parametrize("immich_profile", sorted(PROFILES))

# The operations the integration calls, as "METHOD path" (paths below the spec's /api base).
IN_SCOPE = re.compile(
    r"GET /server(-info)?/(version|ping|config|features|about)"
    r"|GET /users/me|GET /api-keys/me|GET /jobs|PUT /jobs/\{\w+\}"
    r"|GET /queues|(GET|PUT) /queues/\{\w+\}"
)
METHODS = ("get", "put", "post", "delete", "patch")


def release(profile: str) -> str:
    """Name the spec file of a profile's release: profile v1.106 is Immich v1.106.0."""
    p: Profile = PROFILES[profile]
    return f"v{p.major}.{p.minor}.{p.patch}"


@functools.cache
def load_spec(name: str) -> Json:
    """Read one release's spec from the repository's compressed copy."""
    return json.loads(gzip.decompress((SPECS / f"{name}.json.gz").read_bytes()))


def spec_of(profile: str) -> Json:
    """Return the spec of a profile's release."""
    return load_spec(release(profile))


def operations(spec: Json) -> dict[Op, Json]:
    """Return the spec's in-scope operations."""
    return {
        (method.upper(), path): op
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if method in METHODS and IN_SCOPE.fullmatch(f"{method.upper()} {path}")
    }


def base(spec: Json) -> str:
    """Return the path every operation sits under (``/api``)."""
    return str(spec["servers"][0]["url"])


def concrete(path: str) -> str:
    """Fill every path parameter with a queue name."""
    return re.sub(r"\{\w+\}", THUMB, path)


def body_for(method: str, path: str) -> Json:
    """Return the request body the integration sends to a command endpoint."""
    if method != "PUT":
        return None
    if path.startswith("/jobs/"):
        return {"command": "pause", "force": False}
    return {"isPaused": True}


def resolve(spec: Json, schema: Json) -> Json:
    """Follow ``$ref`` chains to the schema itself."""
    while "$ref" in schema:
        node = spec
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def success_schema(op: Json, status: int) -> Json:
    """Return the JSON schema of an operation's response with this status, if any."""
    content = op["responses"][str(status)].get("content", {})
    return content.get("application/json", {}).get("schema")


# --- a validator for the subset of OpenAPI 3.0 schemas Immich's specs use -----------------

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,),
    "array": (list,),
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
}
_FORMATS = {
    "uuid": re.compile(r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}", re.IGNORECASE),
    "date-time": re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)"),
}


def validate(spec: Json, schema: Json, value: Json, where: str = "$") -> list[str]:
    """Return how ``value`` breaks ``schema`` (empty when it conforms).

    Stricter than JSON Schema in one way: an object may not carry a property its schema does
    not declare (unless ``additionalProperties`` allows it). Immich serialises its response
    DTOs, so a real body has exactly the declared properties; a fake inventing one is a bug.
    """
    if value is None:
        nullable = schema.get("nullable") or resolve(spec, schema).get("nullable")
        return [] if nullable else [f"{where}: null where not nullable"]
    schema = resolve(spec, schema)
    errors: list[str] = []
    for sub in schema.get("allOf", []):
        errors += validate(spec, sub, value, where)
    if "anyOf" in schema and all(
        validate(spec, sub, value, where) for sub in schema["anyOf"]
    ):
        errors.append(f"{where}: matches none of anyOf")
    kind = schema.get("type")
    if kind is not None and (
        not isinstance(value, _TYPES[kind])
        or (isinstance(value, bool) and kind in {"integer", "number"})
    ):
        return [*errors, f"{where}: {value!r} is not of type {kind}"]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if value < schema.get("minimum", value) or value > schema.get("maximum", value):
            errors.append(f"{where}: {value} out of range")
    if isinstance(value, str):
        fmt = _FORMATS.get(schema.get("format", ""))
        if fmt is not None and not fmt.fullmatch(value):
            errors.append(f"{where}: {value!r} is not a {schema['format']}")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            errors += validate(spec, schema["items"], item, f"{where}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        errors += [
            f"{where}: missing {k}"
            for k in schema.get("required", [])
            if k not in value
        ]
        for key, item in value.items():
            if key in props:
                errors += validate(spec, props[key], item, f"{where}.{key}")
            elif isinstance(extra, dict):
                errors += validate(spec, extra, item, f"{where}.{key}")
            elif props and extra in (None, False):
                errors.append(f"{where}: undeclared property {key}")
    return errors


def test_validator_catches_what_it_checks() -> None:
    """The validator is not a rubber stamp: each rule it claims rejects a bad value."""
    spec = {
        "components": {
            "schemas": {
                "Color": {"type": "string", "enum": ["red", "blue"]},
                "Thing": {
                    "type": "object",
                    "properties": {
                        "id": {"type": "string", "format": "uuid"},
                        "n": {"type": "integer", "minimum": 0},
                        "color": {"$ref": "#/components/schemas/Color"},
                        "tags": {"type": "array", "items": {"type": "string"}},
                        "maybe": {
                            "allOf": [{"$ref": "#/components/schemas/Color"}],
                            "nullable": True,
                        },
                        "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    },
                    "required": ["id", "n"],
                },
            }
        }
    }
    thing = {"$ref": "#/components/schemas/Thing"}
    good = {
        "id": "0a3b2c4d-1e2f-4a5b-8c9d-0e1f2a3b4c5d",
        "n": 1,
        "color": "red",
        "tags": ["x"],
        "maybe": None,
        "either": 2,
    }
    assert validate(spec, thing, good) == []
    for bad in (
        {"n": 1, "id": good["id"], "color": "green"},  # enum
        {"n": 1},  # required
        {"n": True, "id": good["id"]},  # a bool is not an integer
        {"n": -1, "id": good["id"]},  # minimum
        {"n": 1, "id": "sim-key"},  # format
        {"n": 1, "id": good["id"], "tags": [3]},  # items
        {"n": 1, "id": good["id"], "color": None},  # not nullable
        {"n": 1, "id": good["id"], "maybe": "green"},  # allOf
        {"n": 1, "id": good["id"], "either": [1]},  # anyOf
        {"n": 1, "id": good["id"], "surprise": 0},  # undeclared
    ):
        assert validate(spec, thing, bad), bad
    assert validate(spec, thing, [good])


# --- the spec files themselves ---------------------------------------------------------------


def test_every_profile_has_its_spec() -> None:
    """Each profile's release has a spec here, and each spec here belongs to a profile."""
    assert {release(p) for p in PROFILES} == {
        path.name.removesuffix(".json.gz") for path in SPECS.glob("*.json.gz")
    }


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_spec_is_of_its_release(profile: str) -> None:
    """The spec's own version names the release, and every operation sits under /api.

    Spec quirk: the v1.139.0 file says ``1.138.1`` in ``info.version``. It is kept as v1.139's
    because it has ``GET /api-keys/me``, which immich-api.md (read from Immich's source at each
    release) dates to v1.139; the check pins both facts so a swapped file is noticed.
    """
    spec = spec_of(profile)
    expected = release(profile).removeprefix("v")
    if expected == "1.139.0":
        assert spec["info"]["version"] == "1.138.1"
        assert ("GET", "/api-keys/me") in operations(spec)
    else:
        assert spec["info"]["version"] == expected
    assert base(spec) == "/api"


# --- the simulator against the spec of its release ----------------------------------------


def route_table(immich: SimulatedImmich) -> dict[Op, Route]:
    """Return the simulator's routes keyed like the spec's operations."""
    prefix = base(spec_of(immich.profile.name))
    return {
        (route.method, route.path.removeprefix(prefix)): route
        for route in immich.routes
    }


@EVERY_PROFILE
async def test_served_operations_match_spec(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """The simulator serves exactly the spec's in-scope operations, same parameter names.

    Every in-scope path any release has is also requested: it must be served when this
    release's spec has it, and answer 404 when it does not.
    """
    spec = spec_of(immich_profile)
    ops = operations(spec)
    routes = route_table(immich)
    assert set(routes) == set(ops)
    assert all(IN_SCOPE.fullmatch(f"{m} {p}") for m, p in routes)

    every_release = set().union(*(operations(spec_of(p)) for p in PROFILES))
    served = {(m, concrete(p)) for m, p in ops}
    for method, path in sorted(every_release):
        url = concrete(path)
        status, _ = await request(
            immich, method, base(spec) + url, KEY_ALL, body_for(method, path)
        )
        label = f"{immich_profile} {method} {path}"
        if (method, url) in served:
            assert status != 404, label
        else:
            assert status == 404, label


@EVERY_PROFILE
async def test_access_rules_match_spec(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """Public, permission and admin-only rules are the spec's, in the table and over HTTP.

    Specs before v1.137 declare no ``x-immich-permission``/``x-immich-admin-only``: those
    releases have no fine-grained permissions, so the simulator must not check any; their
    admin-only rule comes from immich-api.md (tests/simulator/test_fidelity.py).
    """
    spec = spec_of(immich_profile)
    ops = operations(spec)
    routes = route_table(immich)
    fine = any("x-immich-permission" in op for op in ops.values())
    assert fine is (immich.profile.permission_mode == "fine")
    narrow = immich.add_key("narrow", permissions=["asset.read"])
    for (method, path), op in sorted(ops.items()):
        route, label = routes[method, path], f"{immich_profile} {method} {path}"
        public = not op.get("security")
        assert route.auth is not public, label
        url, body = base(spec) + concrete(path), body_for(method, path)
        if public:
            assert (await request(immich, method, url, None, body))[0] == 200, label
        if not fine or public:
            continue
        permission = op.get("x-immich-permission")
        admin_only = op.get("x-immich-admin-only", False)
        assert (route.permission, route.admin) == (permission, admin_only), label

        status, answer = await request(immich, method, url, narrow.secret, body)
        if permission is None:
            assert status == 200, label
        else:
            assert (status, answer["message"]) == (
                403,
                f"Missing required permission: {permission}",
            ), label
            immich.set_permissions(narrow.secret, [permission])
            status, _ = await request(immich, method, url, narrow.secret, body)
            assert status == 200, label
            immich.set_permissions(narrow.secret, ["asset.read"])
        status, answer = await request(immich, method, url, KEY_NON_ADMIN, body)
        if admin_only:
            assert (status, answer["message"]) == (403, "Forbidden"), label
        else:
            assert status == 200, label


@EVERY_PROFILE
async def test_queue_names_match_spec(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """GET /api/jobs and GET /api/queues list the spec's queues, in the spec's order.

    The legacy body's properties (``AllJobStatusResponseDto``, later ``QueuesResponse[Legacy]Dto``)
    and the enum of ``PUT /jobs/{…}``'s parameter (``JobName``, later ``QueueName``) name the
    same queues. The order is the enum's: the v3.1.0 recordings show Immich lists them so.
    """
    spec = spec_of(immich_profile)
    ops = operations(spec)
    put_job = next(op for (m, p), op in ops.items() if (m, p[:6]) == ("PUT", "/jobs/"))
    enum = resolve(spec, put_job["parameters"][0]["schema"])["enum"]
    legacy = resolve(spec, success_schema(ops["GET", "/jobs"], 200))
    assert set(legacy["properties"]) == set(legacy["required"]) == set(enum)
    assert list(immich.profile.queues) == enum

    status, body = await request(immich, "GET", "/api/jobs", KEY_ALL, None)
    assert status == 200
    assert list(body) == enum
    if ("GET", "/queues") in ops:
        assert spec["components"]["schemas"]["QueueName"]["enum"] == enum
        status, body = await request(immich, "GET", "/api/queues", KEY_ALL, None)
        assert status == 200
        assert [q["name"] for q in body] == enum


def _busy(immich: SimulatedImmich) -> None:
    """Give the counts something to show: running, paused-with-backlog and failed jobs."""
    model = immich.model
    model.enqueue(THUMB, 7, kind="photo")
    model.pause("videoConversion")
    model.enqueue("videoConversion", 2, kind="video")
    model.inject_failed("metadataExtraction", 1)


@EVERY_PROFILE
async def test_success_responses_match_spec(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """Each in-scope call answers a status the spec lists, with a body its schema accepts."""
    spec = spec_of(immich_profile)
    _busy(immich)
    for (method, path), op in sorted(operations(spec).items()):
        label = f"{immich_profile} {method} {path}"
        status, body = await request(
            immich, method, base(spec) + concrete(path), KEY_ALL, body_for(method, path)
        )
        assert 200 <= status < 300, label
        assert str(status) in op["responses"], label
        schema = success_schema(op, status)
        assert schema is not None, label
        assert validate(spec, schema, body) == [], label


def _body_schema(spec: Json, op: Json) -> Json:
    """Return the resolved schema of an operation's JSON request body."""
    return resolve(spec, op["requestBody"]["content"]["application/json"]["schema"])


@EVERY_PROFILE
async def test_command_bodies_match_spec(
    immich: SimulatedImmich, immich_profile: str
) -> None:
    """Command bodies: the spec's commands, ``force`` required exactly when the spec says so.

    ``PUT /queues/{name}`` (v2.4+) requires nothing: an empty body is accepted and changes
    nothing.
    """
    spec = spec_of(immich_profile)
    ops = operations(spec)
    (path,) = (p for m, p in ops if m == "PUT" and p.startswith("/jobs/"))
    dto = _body_schema(spec, ops["PUT", path])
    command = resolve(spec, dto["properties"]["command"])
    assert list(COMMANDS) == resolve(spec, command.get("allOf", [command])[0])["enum"]
    url = base(spec) + concrete(path)
    status, _ = await request(immich, "PUT", url, KEY_ALL, {"command": "pause"})
    assert (status == 400) is ("force" in dto["required"])
    status, _ = await request(
        immich, "PUT", url, KEY_ALL, {"command": "go", "force": False}
    )
    assert status == 400
    if ("PUT", "/queues/{name}") in ops:
        assert not _body_schema(spec, ops["PUT", "/queues/{name}"]).get("required")
        url = f"{base(spec)}/queues/{THUMB}"
        status, body = await request(immich, "PUT", url, KEY_ALL, {})
        assert (status, body["isPaused"]) == (200, immich.model.counts(THUMB).is_paused)


# --- the recorded v3.1.0 answers against the v3.1.0 spec -----------------------------------


def _sample_op(spec: Json, method: str, url: str) -> tuple[Op, Json]:
    """Find the spec operation a recorded request went to."""
    for (m, path), op in operations(spec).items():
        pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(base(spec) + path))
        if m == method and re.fullmatch(pattern, url):
            return (m, path), op
    raise AssertionError(f"no spec operation for {method} {url}")


@pytest.mark.parametrize("sample", sorted(p.name for p in SAMPLES.glob("[0-9]*.json")))
def test_recorded_sample_matches_spec(sample: str) -> None:
    """A recorded success body validates against v3.1.0's schema for it.

    Immich's spec documents no error responses, so an error sample is only checked to be one
    the spec leaves undescribed (should a later spec describe it, this test must grow).
    """
    spec = load_spec("v3.1.0")
    recorded = json.loads((SAMPLES / sample).read_text())
    method, url = recorded["request"].split()[:2]
    _, op = _sample_op(spec, method, url)
    status = recorded["status"]
    if status >= 400:
        assert str(status) not in op["responses"]
        return
    assert str(status) in op["responses"]
    schema = success_schema(op, status)
    assert schema is not None
    assert validate(spec, schema, recorded["body"]) == []
