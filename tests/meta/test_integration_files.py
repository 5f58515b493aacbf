"""What hassfest and HACS would check, as tests (neither can run outside HA core's repository)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
import re
import struct
from typing import Any

from awesomeversion import AwesomeVersion
import yaml

ROOT = Path(__file__).resolve().parents[2]
INTEGRATION = ROOT / "custom_components" / "immich_jobs"
PLATFORM_FILES = (
    "sensor",
    "switch",
    "button",
    "number",
    "binary_sensor",
    "select",
    "event",
)


def _json(path: Path) -> Any:
    return json.loads(path.read_text())


def _strings() -> dict[str, Any]:
    return _json(INTEGRATION / "strings.json")


def _calls(path: Path) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
    ]


def _keyword(call: ast.Call, name: str) -> str | None:
    for keyword in call.keywords:
        if keyword.arg == name and isinstance(keyword.value, ast.Constant):
            value = keyword.value.value
            return value if isinstance(value, str) else None
    return None


def _call_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def test_manifest_keys_order_and_values() -> None:
    """Put domain and name first, the rest sorted, with the values HACS and hassfest expect."""
    manifest = _json(INTEGRATION / "manifest.json")
    keys = list(manifest)
    assert keys[:2] == ["domain", "name"]
    assert keys[2:] == sorted(keys[2:])
    assert manifest["domain"] == "immich_jobs" == INTEGRATION.name
    assert manifest["name"] == "Immich Jobs"
    assert manifest["config_flow"] is True
    assert manifest["integration_type"] == "service"
    assert manifest["iot_class"] == "local_polling"
    assert manifest["requirements"] == []
    assert manifest["documentation"].startswith("https://")
    assert "home-assistant.io" not in manifest["documentation"]
    assert manifest["issue_tracker"].startswith("https://")
    assert manifest["codeowners"]
    assert all(owner.startswith("@") for owner in manifest["codeowners"])
    assert AwesomeVersion(manifest["version"]).valid
    assert set(keys) <= {
        "domain", "name", "codeowners", "config_flow", "dependencies", "documentation",
        "integration_type", "iot_class", "issue_tracker", "loggers", "quality_scale",
        "requirements", "version", "after_dependencies",
    }  # fmt: skip


def test_hacs_manifest() -> None:
    """HACS finds the integration and knows the oldest Home Assistant it runs on."""
    hacs = _json(ROOT / "hacs.json")
    assert hacs["name"] == "Immich Jobs"
    assert AwesomeVersion(hacs["homeassistant"]) == AwesomeVersion("2025.4.0")


def test_translations_match_strings() -> None:
    """Home Assistant reads translations/*.json for a custom integration, never strings.json."""
    strings = (INTEGRATION / "strings.json").read_text()
    assert (INTEGRATION / "translations" / "en.json").read_text() == strings
    assert "[%key:" not in strings


def test_translation_keys_are_snake_case() -> None:
    """Reject keys (as hassfest does) that are not lower snake case (placeholders aside)."""

    def walk(node: Any, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                assert re.fullmatch(r"[a-z0-9_]+", key), f"{path}.{key}"
                walk(value, f"{path}.{key}")
        else:
            assert isinstance(node, str) and node.strip(), path

    for section in ("entity", "exceptions", "issues", "services", "selector"):
        walk(_strings().get(section, {}), section)


def test_flow_steps_errors_and_aborts_are_translated() -> None:
    """Every step, error and abort reason the flows can show has its text."""
    strings = _strings()
    trees = [
        ast.parse((INTEGRATION / name).read_text())
        for name in ("config_flow.py", "flows/options.py", "flows/house_step.py")
    ]
    classes = [
        node for tree in trees for node in tree.body if isinstance(node, ast.ClassDef)
    ]
    for cls in classes:
        bases = {base.id for base in cls.bases if isinstance(base, ast.Name)}
        section = strings["options" if "OptionsFlow" in bases else "config"]
        for node in ast.walk(cls):
            if isinstance(node, ast.Call):
                name = _call_name(node)
                if (step := _keyword(node, "step_id")) is not None:
                    assert step in section["step"], f"step {step}"
                if name == "async_abort":
                    reason = _keyword(node, "reason")
                    assert reason in section["abort"], f"abort {reason}"
                if name == "_abort_if_unique_id_configured":
                    assert "already_configured" in section["abort"]
                if name == "_abort_if_unique_id_mismatch":
                    reason = _keyword(node, "reason") or "unique_id_mismatch"
                    assert reason in section["abort"], f"abort {reason}"
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Subscript)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.targets[0].value, ast.Name)
                and node.targets[0].value.id == "errors"
            ):
                assert node.value.value in section["error"], f"error {node.value.value}"
    for step in strings["config"]["step"].values():
        assert step.get("title") or step.get("description")


def test_exceptions_and_issues_are_translated() -> None:
    """Every translated exception and repair issue raised in the code has its text."""
    strings = _strings()
    for path in INTEGRATION.glob("*.py"):
        for call in _calls(path):
            key = _keyword(call, "translation_key")
            if key is None:
                continue
            name = _call_name(call)
            if name == "async_create_issue":
                assert key in strings.get("issues", {}), f"{path.name}: issue {key}"
            elif name == "SelectSelectorConfig":
                assert strings["selector"][key]["options"], (
                    f"{path.name}: selector {key}"
                )
            elif "Description" not in name:
                assert key in strings.get("exceptions", {}), f"{path.name}: {key}"


def _entity_translation_keys() -> set[tuple[str, str]]:
    found = set()
    for platform in PLATFORM_FILES:
        path = INTEGRATION / f"{platform}.py"
        if not path.exists():
            continue
        for call in _calls(path):
            if (
                key := _keyword(call, "translation_key")
            ) and "Description" in _call_name(call):
                found.add((platform, key))
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Assign)
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == "_attr_translation_key"
                and isinstance(node.value, ast.Constant)
            ):
                found.add((platform, node.value.value))
    return found


def test_entities_have_names_and_icons() -> None:
    """Every entity translation key has a name in en.json and an icon in icons.json, no orphans."""
    strings = _strings().get("entity", {})
    icons = _json(INTEGRATION / "icons.json").get("entity", {})
    used = _entity_translation_keys()
    assert used, "no entity descriptions found"
    for platform, key in used:
        assert "name" in strings[platform][key], f"{platform}.{key}"
        assert "default" in icons[platform][key], f"icon for {platform}.{key}"
    declared = {(p, k) for p, keys in strings.items() for k in keys}
    assert declared == used
    assert {(p, k) for p, keys in icons.items() for k in keys} == used


def test_services_are_described_translated_and_have_icons() -> None:
    """services.yaml, the services translations and icons all name the registered actions."""
    services_file = INTEGRATION / "services.yaml"
    registered = {
        _keyword_value
        for call in _calls(INTEGRATION / "services.py")
        if _call_name(call) == "async_register"
        for _keyword_value in [_service_name(call)]
    } if (INTEGRATION / "services.py").exists() else set()  # fmt: skip
    described = (
        set(yaml.safe_load(services_file.read_text()) or {})
        if services_file.exists()
        else set()
    )
    assert registered == described
    strings = _strings().get("services", {})
    icons = _json(INTEGRATION / "icons.json").get("services", {})
    assert set(strings) == described
    assert set(icons) == described
    for service, spec in (
        (yaml.safe_load(services_file.read_text()) or {}).items() if described else []
    ):
        assert strings[service]["name"] and strings[service]["description"]
        for field in (spec or {}).get("fields", {}):
            assert strings[service]["fields"][field]["name"], f"{service}.{field}"


def _service_name(call: ast.Call) -> str:
    arg = call.args[1]
    if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
        return arg.value
    assert isinstance(arg, ast.Name)
    module = ast.parse((INTEGRATION / "services.py").read_text())
    for node in ast.walk(module):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == arg.id
            and isinstance(node.value, ast.Constant)
        ):
            return str(node.value.value)
    raise AssertionError(f"cannot resolve service name {arg.id}")


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_brand_icons() -> None:
    """Brand icons are square PNGs of the sizes Home Assistant serves."""
    brand = INTEGRATION / "brand"
    assert _png_size(brand / "icon.png") == (256, 256)
    assert _png_size(brand / "icon@2x.png") == (512, 512)
