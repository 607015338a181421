"""The sample record the builder's live preview starts from, as the form's inputs hold it.

The preview is the real record form of the draft's module; filled with the same made-up
values the expression editor evaluates against (engine/builder/expression_samples.py), its
formulas show results and a field whose `show_if` is false for the sample is hidden from the
start, with a note saying why (admin/builder/_sample_note.html). The admin then changes a
value and the form's own round trip recomputes the rest. Links and attachments start empty:
there is no record or file to point at before the module is published.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from engine.builder.expression_samples import made_up_values
from engine.definitions.model import Field, Module
from web.pages.formviews import input_value


def _pointless(f: Field) -> bool:
    """A field whose made-up value names nothing real (a record id, a stored file)."""
    return f.kind_type.links or f.kind_type.holds_files


def _row(table: Field, row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        c.name: input_value(c, row.get(c.name))
        for c in table.children
        if not c.computed and not _pointless(c)
    }


def sample_inputs(module: Module) -> dict[str, Any]:
    """The preview form's starting inputs: a made-up value for each field one can type."""
    made_up = made_up_values(module.fields)
    inputs: dict[str, Any] = {}
    for f in module.fields:
        if f.name not in made_up or _pointless(f):
            continue
        value = made_up[f.name]
        if f.kind_type.rows:
            inputs[f.name] = [_row(f, row) for row in value or ()]
        else:
            inputs[f.name] = input_value(f, value)
    return inputs
