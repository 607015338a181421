"""Old home of the field-kind registry, kept so `from engine.fields import …` still works.

The kinds live in engine/kinds/ (one object per kind, one registry); import from there.
"""

from __future__ import annotations

from engine.kinds import KINDS, check_input_error, expression_type, json_value, kind_of
from engine.kinds.base import FieldKind
from engine.kinds.inputs import (
    EMPTY,
    Choice,
    Day,
    ExactNumber,
    Flag,
    Moment,
    MultiChoice,
    Text_,
    WholeNumber,
)

__all__ = [
    "EMPTY",
    "KINDS",
    "Choice",
    "Day",
    "ExactNumber",
    "FieldKind",
    "Flag",
    "Moment",
    "MultiChoice",
    "Text_",
    "WholeNumber",
    "check_input_error",
    "expression_type",
    "json_value",
    "kind_of",
]
