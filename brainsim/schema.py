"""A config class as a JSON schema, for documentation and external tools (`python -m brainsim schema NAME`)."""

from __future__ import annotations

from typing import Any

from brainsim.config import specs


def json_schema(cls: type) -> dict:
    """A JSON schema of the config, for documentation and external tools."""
    props = {}
    for s in specs(cls):
        t = {int: "integer", float: "number", bool: "boolean", str: "string", tuple: "array"}[s.kind]
        p: dict[str, Any] = {
            "type": t,
            "default": list(s.default) if s.kind is tuple else s.default,
            "description": s.help,
        }
        target = p
        if s.kind is tuple:
            p["items"] = {"type": {int: "integer", float: "number", str: "string"}[s.item_kind]}
            p["maxItems"] = s.max_items
            target = p["items"]
        if s.choices:
            target["enum"] = list(s.choices)
        if s.lo is not None:
            target["minimum"] = s.lo
        if s.hi is not None:
            target["maximum"] = s.hi
        props[s.name] = p
    return {"title": cls.__name__, "type": "object", "properties": props, "additionalProperties": False}
