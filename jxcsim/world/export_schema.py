"""Write the scenario JSON Schema to ``scenarios/scenario.schema.json`` (run after changing the models)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .scenario import scenario_json_schema

DEFAULT = Path(__file__).resolve().parents[2] / "scenarios" / "scenario.schema.json"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DEFAULT
    target.write_text(json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
