"""Write the scenario JSON Schema to ``scenarios/scenario.schema.json`` (run after changing the models).

The schema describes what a scenario file may *write* (pydantic's validation-mode schema, with the
input forms the types annotate: a range as ``[2, 7]``, a weekday as ``Mon``, a time as ``"16:30"``),
so an editor pointed at it (``# yaml-language-server: $schema=../scenario.schema.json``) checks files
as jxcsim reads them. A file with ``extends:`` is an overlay and is checked as one: every key it may
give, none it must (a mapping it names merges into its base's, where the rest already is; an
entry's ``"*"`` is an entry like any other), while lists, which replace their base's, are checked
whole. What JSON Schema cannot tell (a range's low above its high, a shift naming an unknown
location, a start that is no Monday) only loading the scenario finds.

>>> schema = scenario_json_schema()
>>> schema["if"], schema["then"]["$ref"], schema["else"]["$ref"]
({'required': ['extends']}, '#/$defs/ScenarioOverlay', '#/$defs/Scenario')
>>> "required" in schema["$defs"]["Shift"], "required" in schema["$defs"]["ShiftOverlay"]
(True, False)
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema

from .scenario import Range, Scenario

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "scenario.schema.json"
OVERLAY = "Overlay"  # suffix of a model's $defs entry as an overlay may write it (nothing required)
_DEFS = "#/$defs/"


def _as_written(value: Any) -> Any:
    """A default as a file would write it: a :class:`Range` as ``[low, high]``, models as mappings."""
    if isinstance(value, Range):
        return [value.low, value.high]
    if isinstance(value, BaseModel):
        return {name: _as_written(getattr(value, name)) for name in type(value).model_fields}
    if isinstance(value, dict):
        return {key: _as_written(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_as_written(item) for item in value]
    return value


class _InputForms(GenerateJsonSchema):
    """pydantic's schema generator, its defaults in the forms a file writes (``[20, 200]``, not
    ``{"low": 20, "high": 200}``), so an editor completing a default completes what the files say."""

    def encode_default(self, dft: Any) -> Any:
        return super().encode_default(_as_written(dft))


def _overlay(node: Any, defs: dict[str, Any], made: dict[str, Any]) -> Any:
    """``node`` as an overlay may write it: mappings (models and named mappings) merge into the
    base's, so nothing in them is required and a named mapping may be empty; a model reached this
    way is referred to as its ``OVERLAY`` variant (made once, in ``made``; the model's own schema
    when nothing differs). Lists and values replace the base's: they stay as they are."""
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        name = node["$ref"].removeprefix(_DEFS)
        if name not in made:
            made[name] = None  # models do not nest themselves; this only guards the recursion
            variant = _overlay(defs[name], defs, made)
            made[name] = variant if variant != defs[name] else defs[name]
        return node if made[name] is defs[name] else {**node, "$ref": f"{_DEFS}{name}{OVERLAY}"}
    new = {k: v for k, v in node.items() if k not in ("required", "minProperties")}
    if "properties" in node:
        new["properties"] = {k: _overlay(v, defs, made) for k, v in node["properties"].items()}
    if isinstance(node.get("additionalProperties"), dict):
        new["additionalProperties"] = _overlay(node["additionalProperties"], defs, made)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            new[key] = [_overlay(branch, defs, made) for branch in node[key]]
    return new


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files as written: a complete scenario, or with ``extends`` an overlay."""
    full = Scenario.model_json_schema(mode="validation", schema_generator=_InputForms)
    defs = full.pop("$defs")
    assert "Scenario" not in defs and not any(name.endswith(OVERLAY) for name in defs), sorted(defs)
    defs["Scenario"] = full
    made: dict[str, Any] = {}
    overlay = _overlay({"$ref": f"{_DEFS}Scenario"}, defs, made)
    defs.update({f"{name}{OVERLAY}": variant for name, variant in made.items() if variant is not defs[name]})
    root = defs[overlay["$ref"].removeprefix(_DEFS)]
    root["description"] = ("An overlay (what-if) of the scenario it extends: it gives only what it changes; "
                           "mappings merge key by key (\"*\" into every entry the base has), anything else replaces.")
    root["properties"] = {"extends": {"type": "string", "description": "path of the scenario this one overlays "
                                      "(relative to this file)"}, **root["properties"]}
    return {
        "title": "jxcsim scenario",
        "description": "A jxcsim scenario file (jxcsim.world.scenario.Scenario), or with extends an overlay of one.",
        "type": "object",
        "if": {"required": ["extends"]},
        "then": overlay,
        "else": {"$ref": f"{_DEFS}Scenario"},
        "$defs": dict(sorted(defs.items())),
    }


def main(argv: list[str] | None = None) -> None:
    """``python -m jxcsim.world.export_schema [OUT]``: write the schema to ``OUT`` (default: the checked-in
    ``scenarios/scenario.schema.json``)."""
    parser = argparse.ArgumentParser(prog="python -m jxcsim.world.export_schema",
                                     description="Write the JSON Schema of jxcsim scenario files.")
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT,
                        help=f"where to write it (default: {DEFAULT.relative_to(DEFAULT.parents[1])})")
    target = parser.parse_args(argv).out
    target.write_text(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
