"""Check row keys (`x-row-key`, `x-row-title` on a child table) and row links (`x-row`).

A row key must be a column of its table holding an integer or a text, so each row can be
named; a row link must name a link field of its own module, a child table of the linked
module that declares a row key, and hold a value of the key's type. The linked module may
belong to another pack (`requires`); each problem is located at the keyword that is wrong.
"""

from __future__ import annotations

from engine.definitions.context import PackContext, Path
from engine.definitions.model import Field
from engine.definitions.row_links import row_key, row_link, row_title
from engine.definitions.scope import ModuleInfo, suggest

KEY_TYPES = frozenset({"integer", "text"})


def check_row_links(ctx: PackContext, module: ModuleInfo) -> None:
    """The row keys of the module's tables and the row links of its fields."""
    assert module.index is not None
    base: Path = ("modules", module.index, "schema", "properties")
    for info in module.fields.values():
        path = (*base, info.name)
        if "x-row-key" in info.schema or "x-row-title" in info.schema:
            _check_key(ctx, info, path)
        if row_link(info) is not None:
            _check_link(ctx, module, info, path)
        for column in info.columns.values():  # a row of a row has no identity to point at
            at = (*path, "items", "properties", column.name)
            for keyword in ("x-row", "x-row-key", "x-row-title"):
                if keyword in column.schema:
                    params = {"field": f"{info.name}.{column.name}", "kind": "a column"}
                    ctx.add_problem((*at, keyword), "row_keyword_on_column", params)


def _check_key(ctx: PackContext, info: Field, path: Path) -> None:
    if not info.kind_type.rows:
        params = {"field": info.name, "kind": info.kind_text}
        ctx.add_problem((*path, "x-row-key"), "row_key_not_table", params)
        return
    key = row_key(info)
    for keyword, name in (("x-row-key", key), ("x-row-title", row_title(info))):
        if name is None:
            continue
        column = info.columns.get(name)
        if column is None:
            hint = suggest(name, info.columns)
            params = {"key": name, "table": info.name, "hint": hint}
            ctx.add_problem((*path, keyword), "row_key_unknown", params)
        elif keyword == "x-row-key" and (
            column.expression_type not in KEY_TYPES or column.computed or column.kind_type.many
        ):
            params = {"key": name, "table": info.name, "kind": column.kind_text}
            ctx.add_problem((*path, keyword), "row_key_kind", params)
    if key is None:
        params = {"key": "x-row-key", "table": info.name, "hint": ""}
        ctx.add_problem((*path, "x-row-title"), "row_key_unknown", params)


def _check_link(ctx: PackContext, module: ModuleInfo, info: Field, path: Path) -> None:
    target_link = row_link(info)
    assert target_link is not None
    link = module.fields.get(target_link.link)
    if link is None or not link.kind_type.links:
        links = [f.name for f in module.fields.values() if f.kind_type.links]
        params = {
            "link": target_link.link,
            "module": module.id,
            "hint": suggest(target_link.link, links),
        }
        ctx.add_problem((*path, "x-row", "link"), "row_link_not_link", params)
        return
    target = ctx.catalogue.get(link.ref or "")
    if target is None:
        return  # the unknown x-ref is reported where it is written
    table = target.fields.get(target_link.table)
    if table is None or not table.kind_type.rows:
        tables = [f.name for f in target.fields.values() if f.kind_type.rows]
        params = {
            "table": target_link.table,
            "target": target.id,
            "hint": suggest(target_link.table, tables),
        }
        ctx.add_problem((*path, "x-row", "table"), "row_link_unknown_table", params)
        return
    key = table.columns.get(row_key(table) or "")
    if row_key(table) is None:
        params = {"table": table.name, "target": target.id}
        ctx.add_problem((*path, "x-row", "table"), "row_link_no_key", params)
    elif key is not None and key.expression_type in KEY_TYPES - {info.expression_type}:
        params = {"field": info.name, "table": table.name, "expected": key.expression_type}
        params["actual"] = info.expression_type
        ctx.add_problem((*path, "type"), "row_link_type", params)
