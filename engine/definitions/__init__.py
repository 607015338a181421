"""Pack definitions: load, validate (meta-schema + semantic checks) and compile modules."""

from engine.definitions.compiler import field_kind
from engine.definitions.loader import compile_trusted, load_pack, parse_pack_text
from engine.definitions.model import Field, Module, Pack, Report, Transition, Workflow

__all__ = [
    "Field",
    "Module",
    "Pack",
    "Report",
    "Transition",
    "Workflow",
    "compile_trusted",
    "field_kind",
    "load_pack",
    "parse_pack_text",
]
