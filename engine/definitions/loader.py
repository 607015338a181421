"""The one road a pack travels: text → JSON → meta-schema → semantic checks → compiled Pack.

Every problem found on the way is collected and raised together as a DefinitionError with
JSON Pointers; nothing downstream ever sees an invalid pack.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaError
from jsonschema.exceptions import best_match

from engine.codes import SCHEMA
from engine.definitions.compiler import compile_pack
from engine.definitions.jsontext import duplicate_keys
from engine.definitions.model import RESERVED_CHILD_COLUMNS, RESERVED_COLUMNS, Pack
from engine.errors import DefinitionError, Problem
from engine.numbers import NumberRefused, read_decimal, read_int

SCHEMA_PATH = Path(__file__).resolve().parents[2] / "schemas" / "pack.schema.json"
if not SCHEMA_PATH.is_file():  # an installed wheel carries a copy beside this file (setup.py)
    SCHEMA_PATH = Path(__file__).resolve().parent / SCHEMA_PATH.name
MAX_PACK_BYTES = 5 * 1024 * 1024
MAX_IDENTIFIER = 63


@lru_cache(maxsize=1)
def meta_validator() -> Draft202012Validator:
    """The pack meta-schema, compiled once per process."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def pointer(path: Any) -> str:
    """A JSON Pointer (RFC 6901) for a path of keys and indexes."""
    parts = [str(p).replace("~", "~0").replace("/", "~1") for p in path]
    return "/" + "/".join(parts) if parts else ""


def _pack_float(text: str) -> float:
    """A JSON number with a fraction or exponent, as json would read it, within bounds."""
    return float(read_decimal(text))


def parse_pack_text(source: str | bytes | Mapping[str, Any]) -> dict[str, Any]:
    """Decode pack JSON text, or accept an already decoded dict."""
    if isinstance(source, Mapping):
        return dict(source)
    if len(source) > MAX_PACK_BYTES:
        raise DefinitionError([Problem("", "pack_too_large", {"limit": MAX_PACK_BYTES})])
    try:
        data = json.loads(source, parse_float=_pack_float, parse_int=read_int)
    except NumberRefused as exc:  # bounded before conversion: `1e1000000`, 5,000 digits
        raise DefinitionError([Problem("", "not_json", {"detail": str(exc)})]) from None
    except UnicodeDecodeError as exc:
        raise DefinitionError([Problem("", "not_utf8", {"detail": exc.reason})]) from None
    except json.JSONDecodeError as exc:
        detail = f"{exc.msg} at line {exc.lineno} column {exc.colno}"
        raise DefinitionError([Problem("", "not_json", {"detail": detail})]) from None
    except RecursionError:
        raise DefinitionError([Problem("", "too_deeply_nested")]) from None
    if not isinstance(data, dict):
        raise DefinitionError([Problem("", "pack_not_object")])
    repeated = duplicate_keys(source)
    if repeated:
        raise DefinitionError(repeated)
    return data


def schema_problems(pack: Mapping[str, Any]) -> list[Problem]:
    """Every meta-schema violation, one problem per place (the most relevant message)."""
    by_place: dict[str, list[Any]] = {}
    for error in meta_validator().iter_errors(pack):
        by_place.setdefault(pointer(error.absolute_path), []).append(error)
    problems = []
    for place, errors in by_place.items():
        error = best_match(errors)
        problems.append(meta_problem(error, pointer(error.absolute_path) or place))
    return problems


def meta_problem(error: SchemaError, path: str) -> Problem:
    """A meta-schema error coded by its keyword (`error.validator`), kept at its place."""
    keyword = str(error.validator)
    instance = error.instance
    if keyword == "required" and isinstance(instance, Mapping):
        required = cast("list[str]", error.validator_value)  # `required` holds names
        missing = [n for n in required if n not in instance]
        return Problem(path, "required", {"field": missing[0] if missing else ""})
    if keyword == "additionalProperties" and isinstance(instance, Mapping):
        schema = error.schema if isinstance(error.schema, Mapping) else {}
        known = schema.get("properties", {})
        patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
        extra = [k for k in instance if k not in known and not any(p.search(k) for p in patterns)]
        return Problem(path, "unknown_key", {"key": extra[0] if extra else ""})
    if keyword in SCHEMA:
        return Problem(path, keyword, {"value": instance, "limit": error.validator_value})
    return Problem(path, "schema", {"detail": error.message})


def naming_problems(pack: Mapping[str, Any]) -> list[Problem]:
    """Names that would collide with system columns or exceed database identifier limits."""
    problems = []
    for m_index, module in enumerate(pack.get("modules", ())):
        module_id = module.get("id", "")
        base = f"/modules/{m_index}/schema/properties"
        properties = module.get("schema", {}).get("properties", {})
        if len(f"m_{module_id}") > MAX_IDENTIFIER:
            problems.append(
                Problem(f"/modules/{m_index}/id", "module_id_too_long", {"module": module_id})
            )
        for name, schema in properties.items():
            if name in RESERVED_COLUMNS:
                problems.append(Problem(f"{base}/{name}", "reserved_field_name", {"field": name}))
            items = schema.get("items") if isinstance(schema, Mapping) else None
            if isinstance(items, Mapping) and isinstance(items.get("properties"), Mapping):
                if len(f"m_{module_id}__{name}") > MAX_IDENTIFIER:
                    problems.append(
                        Problem(
                            f"{base}/{name}",
                            "child_table_name_too_long",
                            {"table": f"m_{module_id}__{name}"},
                        )
                    )
                for child in items["properties"]:
                    if child in RESERVED_CHILD_COLUMNS or child == "id":
                        problems.append(
                            Problem(
                                f"{base}/{name}/items/properties/{child}",
                                "reserved_child_column",
                                {"field": child},
                            )
                        )
    return problems


def load_pack(
    source: str | bytes | Mapping[str, Any],
    installed_modules: Mapping[str, Mapping[str, Any]] | None = None,
) -> Pack:
    """Validate a pack completely and compile it; raise DefinitionError listing every problem."""
    from engine.definitions.checks import check_pack

    raw = parse_pack_text(source)
    problems = schema_problems(raw)
    if problems:
        raise DefinitionError(problems)
    problems = naming_problems(raw) + list(check_pack(raw, installed_modules or {}))
    if problems:
        raise DefinitionError(problems)
    return compile_pack(raw)


@lru_cache(maxsize=64)
def _compile_cached(text: str) -> Pack:
    return compile_pack(json.loads(text))


def compile_trusted(raw: Mapping[str, Any]) -> Pack:
    """Compile a pack that was validated when it was installed; cached per exact content."""
    return _compile_cached(json.dumps(raw, sort_keys=True, ensure_ascii=False))
