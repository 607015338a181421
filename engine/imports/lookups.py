"""Links and users named in a column, looked up once per column (a statement per 500 distinct values).

A link cell names the linked record by its number, its title or a value of a unique field
of its own (a project's code), among the records the actor may read; none is a problem, and
several are a problem naming the candidates' numbers. A user cell names an active user by
login name or display name.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Field
from engine.errors import Problem
from engine.models import User

CHUNK = 500  # values in one IN (…): well under SQLite's and PostgreSQL's limits
Found = dict[str, Any]  # cell text → the value to store, or the Problem it raises


def _key_columns(catalog: Catalog, module_id: str) -> list[str]:
    module = catalog.module(module_id)
    names = ["number"]
    if module.title_field:
        names.append(module.title_field)
    names += [u[0] for u in module.unique if len(u) == 1 and u[0] not in names]
    main = catalog.tables[module_id].main
    return [n for n in names if n in main.c]


def find_links(
    session: Session, catalog: Catalog, field: Field, texts: Iterable[str], actor: Actor
) -> Found:
    """Each text's linked record id, or its problem (none, or several candidates)."""
    wanted = sorted({t for t in texts if t})
    if not wanted or field.ref is None:
        return {}
    target = catalog.module(field.ref)
    main = catalog.tables[target.id].main
    may = abilities(actor, target)
    columns = _key_columns(catalog, target.id)
    hits: dict[str, dict[str, str]] = {}  # text → {id: number} of the records it names
    for start in range(0, len(wanted) if may.read else 0, CHUNK):
        chunk = wanted[start : start + CHUNK]
        statement = select(main.c.id, *(main.c[c] for c in columns)).where(
            or_(*(main.c[c].in_(chunk) for c in columns)), may.scope(main)
        )
        for row in session.execute(statement).mappings():
            for c in columns:
                hits.setdefault(str(row[c]), {})[row["id"]] = row["number"]
    found: Found = {}
    for text in wanted:
        named = hits.get(text, {})
        if len(named) == 1:
            found[text] = next(iter(named))
            continue
        params = {"module": target.id, "value": text, "records": sorted(map(str, named.values()))}
        code = "import_ambiguous_link" if named else "import_no_link"
        found[text] = Problem("", code, params)
    return found


def find_users(session: Session, texts: Iterable[str]) -> Found:
    """Each text's user name (by login or display name, active users only), or its problem."""
    wanted = sorted({t for t in texts if t})
    if not wanted:
        return {}
    rows: list[Any] = []
    for start in range(0, len(wanted), CHUNK):
        chunk = wanted[start : start + CHUNK]
        statement = select(User.name, User.display_name).where(
            User.active.is_(True), or_(User.name.in_(chunk), User.display_name.in_(chunk))
        )
        rows += session.execute(statement).all()
    logins = {name for name, _ in rows}
    by_display: dict[str, set[str]] = {}
    for name, shown in rows:
        by_display.setdefault(shown, set()).add(name)
    found: Found = {}
    for text in wanted:
        names = [text] if text in logins else sorted(by_display.get(text, ()))
        if len(names) == 1:
            found[text] = names[0]
        elif names:
            found[text] = Problem("", "import_ambiguous_user", {"value": text, "values": names})
        else:
            found[text] = Problem("", "import_no_user", {"value": text})
    return found


def link_texts(
    session: Session, catalog: Catalog, field: Field, ids: Iterable[str], actor: Actor
) -> dict[str, str]:
    """Each linked id as an export writes it so that `find_links` finds it back: the linked
    record's title where the title names that record alone, else its number. Records the
    actor may not read are left out (their cells stay blank)."""
    wanted = sorted({i for i in ids if i})
    if not wanted or field.ref is None:
        return {}
    target = catalog.module(field.ref)
    main = catalog.tables[target.id].main
    may = abilities(actor, target)
    title = main.c.get(target.title_field or "number", main.c.number)
    named: dict[str, tuple[str, str]] = {}  # id → (title, number)
    for start in range(0, len(wanted) if may.read else 0, CHUNK):
        statement = select(main.c.id, main.c.number, title.label("title")).where(
            main.c.id.in_(wanted[start : start + CHUNK]), may.scope(main)
        )
        for row in session.execute(statement):
            named[row.id] = (str(row.title) if row.title is not None else "", str(row.number))
    back = find_links(session, catalog, field, (t for t, _ in named.values()), actor)
    return {i: t if t and back.get(t) == i else n for i, (t, n) in named.items()}


def user_texts(session: Session, names: Iterable[str]) -> dict[str, str]:
    """Each user name as an export writes it so that `find_users` finds it back: the display
    name where it names that user alone, else the login name."""
    wanted = sorted({n for n in names if n})
    shown: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        statement = select(User.name, User.display_name).where(
            User.name.in_(wanted[start : start + CHUNK])
        )
        shown.update({name: display or "" for name, display in session.execute(statement)})
    back = find_users(session, shown.values())
    return {n: shown[n] if shown.get(n) and back.get(shown[n]) == n else n for n in wanted}
