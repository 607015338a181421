"""Check a module's unique fields, unique combinations and the values its numbering prints.

A uniqueness becomes a UNIQUE index of the module's table, so every name it holds must be a
stored scalar column: not a child table, a multi-choice, an attachment, a yes/no or a
rollup. A numbering pattern may print the new record's values (`{code}`) or a linked
record's (`{project.code}`, one link deep), which must exist and be printable, and it
holds exactly one `{seq}`.
"""

from __future__ import annotations

from collections.abc import Mapping

from engine.definitions.context import PackContext, Path
from engine.definitions.model import Field
from engine.definitions.numbering import TOKEN, is_sequence, value_tokens
from engine.definitions.scope import ModuleInfo, suggest


def storable(info: Field) -> bool:
    """Whether a field has one plain value in a column an index can hold."""
    kind = info.kind_type
    plain = kind.scalar and kind.stored and not (kind.rows or kind.many)
    return plain and not (kind.holds_files or kind.flag) and info.rollup_source is None


def check_unique(ctx: PackContext, module: ModuleInfo) -> None:
    """`"unique": true` on fields and `"unique": [[...]]` on the module, then the numbering."""
    assert module.index is not None
    base: Path = ("modules", module.index)
    for info in module.fields.values():
        if info.schema.get("unique") is True and not storable(info):
            params = {"field": info.name, "kind": info.kind_text}
            path = (*base, "schema", "properties", info.name, "unique")
            ctx.add_problem(path, "unique_not_storable", params)
        for column in info.columns.values():
            if column.schema.get("unique") is True:
                path = (*base, "schema", "properties", info.name, "items", "properties")
                params = {"field": f"{info.name}.{column.name}", "kind": "a child table's column"}
                ctx.add_problem((*path, column.name, "unique"), "unique_not_storable", params)
    for i, names in enumerate(module.raw.get("unique") or ()):
        for j, name in enumerate(names):
            found = module.fields.get(name)
            if found is None:
                params = {"field": name, "module": module.id, "hint": suggest(name, module.fields)}
                ctx.add_problem((*base, "unique", i, j), "unique_not_a_field", params)
            elif not storable(found):
                params = {"field": name, "kind": found.kind_text}
                ctx.add_problem((*base, "unique", i, j), "unique_not_storable", params)
    numbering = module.raw.get("numbering")
    if isinstance(numbering, str):
        _check_numbering(ctx, module, numbering, (*base, "numbering"))


def _check_numbering(ctx: PackContext, module: ModuleInfo, pattern: str, path: Path) -> None:
    sequences = sum(1 for m in TOKEN.finditer(pattern) if is_sequence(m.group(1)))
    if sequences != 1:
        ctx.add_problem(path, "numbering_two_sequences", {"count": sequences})
    for token in value_tokens(pattern):
        head, _, inner = token.partition(".")
        problem = _token_problem(ctx.catalogue, module, token, head, inner)
        if problem is not None:
            ctx.add_problem(path, *problem)


def _token_problem(
    catalogue: Mapping[str, ModuleInfo], module: ModuleInfo, token: str, head: str, inner: str
) -> tuple[str, dict[str, str]] | None:
    info = module.fields.get(head)
    if info is None:
        hint = suggest(head, module.fields)
        return "numbering_unknown_token", {"token": token, "module": module.id, "hint": hint}
    if not inner:
        if info.kind_type.links:
            return "numbering_link_needs_field", {"token": token}
        return _printable(token, info)
    if not info.kind_type.links:
        return "numbering_not_a_value", {"token": token, "kind": info.kind_text}
    target = catalogue.get(info.ref or "")
    if target is None:
        return None  # the unknown x-ref is reported at the link itself
    linked = target.fields.get(inner)
    if linked is None:
        hint = suggest(inner, target.fields)
        return "numbering_unknown_token", {"token": token, "module": target.id, "hint": hint}
    if linked.kind_type.links:
        return "numbering_not_a_value", {"token": token, "kind": linked.kind_text}
    return _printable(token, linked)


def _printable(token: str, info: Field) -> tuple[str, dict[str, str]] | None:
    if storable(info) and not info.kind_type.names_user:
        return None
    return "numbering_not_a_value", {"token": token, "kind": info.kind_text}
