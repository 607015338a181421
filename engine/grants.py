"""Record grants: which records of a module a user is scoped to.

A role's row scope (engine/permissions) names link fields; a user holding that role reads
only rows whose link points at a record granted to them. Granting and taking away are admin
actions and leave an event in the admin trail (engine/admin_log) in the same transaction;
`by` is the acting administrator's name, None for the command line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ScalarResult, column, inspect, select, table
from sqlalchemy.orm import Session

from engine.admin_log import log_admin_action
from engine.definitions.model import Field, Module
from engine.errors import Problem, ValidationFailed
from engine.models import Grant, User
from engine.user_lookup import resolve_user, sync_vote_tasks

MAX_ID_LENGTH = 64  # role ids, module ids and record ids share the column width


def add_grant(
    session: Session, user: User | str, module: str, record_id: str, *, by: str | None = None
) -> Grant:
    """Give a user access to one record of a module (read by row scopes); idempotent."""
    user = resolve_user(session, user)
    problems = grant_problems([(module, record_id)], path="/grant")
    if problems:
        raise ValidationFailed(problems)
    existing = _find_grant(session, user, module, record_id)
    if existing is not None:
        return existing
    grant = insert_grant(session, user, module, record_id)
    log_admin_action(
        session, by, "grant.add", f"user {user.name}", after=_grant_value(module, record_id)
    )
    sync_vote_tasks(session, user)
    return grant


def insert_grant(session: Session, user: User, module: str, record_id: str) -> Grant:
    """The grant row alone (checked by the caller; no event, no inbox sync)."""
    grant = Grant(user_id=user.id, module=module, record_id=record_id)
    session.add(grant)
    session.flush()
    return grant


def remove_grant(
    session: Session, user: User | str, module: str, record_id: str, *, by: str | None = None
) -> bool:
    """Take a grant away; the user's scoped lists shrink on their next call. False if none."""
    user = resolve_user(session, user)
    grant = _find_grant(session, user, module, record_id)
    if grant is None:
        return False
    session.delete(grant)
    session.flush()
    log_admin_action(
        session, by, "grant.remove", f"user {user.name}", before=_grant_value(module, record_id)
    )
    sync_vote_tasks(session, user)
    return True


def grant_every_record(
    session: Session, user: User | str, module: str, *, by: str | None = None
) -> list[Grant]:
    """Grant a user every record a module has now (demo set-up); none if it has no table.

    Reads the record ids from the module's table `m_<module>`, which engine/storage names.
    """
    user = resolve_user(session, user)
    name = f"m_{module}"
    if not inspect(session.connection()).has_table(name):
        return []
    ids: ScalarResult[Any] = session.scalars(
        select(column("id")).select_from(table(name)).order_by(column("id"))
    )
    return [add_grant(session, user, module, str(record_id), by=by) for record_id in list(ids)]


def list_grants(session: Session, user: User | str) -> list[Grant]:
    """A user's grants, by module and record id."""
    user = resolve_user(session, user)
    return list(
        session.scalars(
            select(Grant).where(Grant.user_id == user.id).order_by(Grant.module, Grant.record_id)
        )
    )


@dataclass(frozen=True)
class ScopeLink:
    """A module some role is scoped by, and one link field that points at it.

    The field is what a record picker for grants searches (the same picker forms use).
    """

    target: str
    module: Module
    field: Field


def scope_links(modules: list[Module]) -> dict[str, ScopeLink]:
    """The modules that roles' scope fields link to, by id, each with one such link."""
    found: dict[str, ScopeLink] = {}
    for module in modules:
        for permission in module.permissions.values():
            for name in permission.scope:
                f = module.field(name)
                target = f.ref if f is not None and f.ref else None
                if f is not None and target and target not in found:
                    found[target] = ScopeLink(target, module, f)
    return found


def grant_problems(grants: list[tuple[str, str]], path: str = "/grants") -> list[Problem]:
    """What is wrong with grants given as (module, record id) pairs."""
    problems = []
    for index, (module, record_id) in enumerate(grants):
        where = path if path == "/grant" else f"{path}/{index}"
        for key, value in (("module", module), ("record_id", record_id)):
            if not value or not str(value).strip():
                problems.append(Problem(f"{where}/{key}", "required", {"field": key}))
            elif len(str(value)) > MAX_ID_LENGTH:
                problems.append(
                    Problem(f"{where}/{key}", "too_many_characters", {"limit": MAX_ID_LENGTH})
                )
    return problems


def _find_grant(session: Session, user: User, module: str, record_id: str) -> Grant | None:
    return session.scalar(
        select(Grant).where(
            Grant.user_id == user.id, Grant.module == module, Grant.record_id == record_id
        )
    )


def _grant_value(module: str, record_id: str) -> dict[str, str]:
    return {"module": module, "record_id": record_id}
