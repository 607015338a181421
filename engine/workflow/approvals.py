"""Who may vote on an open approval, how many votes it needs, and the votes so far.

Eligible approvers are the holders of the approval's role (or the user named in its user
field) who can read the record, changed by the additions (加签) and delegations (转交)
replayed in the order they were made. A delegation moves one vote: it takes effect only
while its delegator holds a vote, so A→B→A→C leaves C alone where A stood and never
multiplies votes. Without `self_approval` the record's owner is left out at every step.

An approval whose `approvers` lists several groups (commercial and finance together) is
reached when enough groups (its `quorum`, "all" by default in practice) each have their own
quorum of votes from their members. One vote counts in every group its voter belongs to: a
user holding both roles satisfies both. A delegate takes the delegator's place in each of
the delegator's groups; approvers added to the record (加签) form one more group, every one
of whom must vote.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.abilities import abilities
from engine.actor import Actor
from engine.catalog import Catalog
from engine.definitions.model import Approval, Module, Transition
from engine.models import ExtraApprover, User, UserRole, Vote
from engine.records.model import Record


@dataclass(frozen=True)
class GroupProgress:
    """One group of an approval that needs several: its members, their votes, its quorum."""

    role: str | None  # the group is the holders of a role,
    field: str | None  # or the users a field of the record names,
    eligible: tuple[str, ...]  # (neither: the approvers added to this record, 加签)
    voted: tuple[str, ...]
    needed: int

    @property
    def reached(self) -> bool:
        return len(self.voted) >= self.needed


@dataclass(frozen=True)
class Progress:
    """Where an approval stands: who may vote, who did, how many are needed."""

    transition: str
    eligible: tuple[str, ...]
    voted: tuple[str, ...]
    needed: int  # votes, or with `groups` the groups that must be reached
    groups: tuple[GroupProgress, ...] = ()

    @property
    def reached(self) -> bool:
        if self.groups:
            return sum(g.reached for g in self.groups) >= self.needed
        return len(self.voted) >= self.needed

    @property
    def waiting_for(self) -> tuple[str, ...]:
        return tuple(u for u in self.eligible if u not in self.voted)


def needed_votes(approval: Approval, eligible: int) -> int:
    quorum = approval.quorum
    if quorum == "any":
        return 1
    if quorum == "all":
        return max(1, eligible)
    if isinstance(quorum, str) and quorum.endswith("%"):
        return max(1, math.ceil(eligible * int(quorum[:-1]) / 100))
    return max(1, int(quorum))


def _user_actor(session: Session, name: str) -> Actor | None:
    user = session.scalar(select(User).where(User.name == name, User.active.is_(True)))
    if user is None:
        return None
    return Actor(name=user.name, roles=frozenset(r.role for r in user.roles), user_id=user.id)


def can_read(
    session: Session, catalog: Catalog, module: Module, record_id: str, who: Actor
) -> bool:
    table = catalog.tables[module.id].main
    may = abilities(who, module)
    if not may.read:
        return False
    return (
        session.execute(select(table.c.id).where(table.c.id == record_id, may.scope(table))).first()
        is not None
    )


def named_users(record: Record, field: str) -> set[str]:
    """The users a user field (one name) or a multi-user field (a list) of the record names."""
    value = record.data.get(field)
    if isinstance(value, (list, tuple)):
        return {v for v in value if v}
    return {value} if value else set()


def _group_users(session: Session, record: Record, role: str | None, field: str | None) -> set[str]:
    if field:
        return named_users(record, field)
    if role:
        return set(
            session.scalars(
                select(User.name)
                .join(UserRole, UserRole.user_id == User.id)
                .where(UserRole.role == role, User.active.is_(True))
            )
        )
    return set()


def base_approvers(
    session: Session, module: Module, record: Record, approval: Approval
) -> set[str]:
    if approval.groups:
        return set().union(
            *(_group_users(session, record, g.role, g.field) for g in approval.groups)
        )
    return _group_users(session, record, approval.approvers_role, approval.approvers_field)


def extra_approvers(
    session: Session, module: Module, record_id: str, transition: str
) -> list[ExtraApprover]:
    return list(
        session.scalars(
            select(ExtraApprover)
            .where(
                ExtraApprover.module == module.id,
                ExtraApprover.record_id == record_id,
                ExtraApprover.transition == transition,
                ExtraApprover.active.is_(True),
            )
            .order_by(ExtraApprover.id)
        )
    )


def open_votes(
    session: Session, module: Module, record_id: str, transition: str | None = None
) -> list[Vote]:
    statement = select(Vote).where(
        Vote.module == module.id, Vote.record_id == record_id, Vote.discarded.is_(False)
    )
    if transition is not None:
        statement = statement.where(Vote.transition == transition)
    return list(session.scalars(statement.order_by(Vote.id)))


def eligible_approvers(
    session: Session, catalog: Catalog, module: Module, record: Record, transition: Transition
) -> list[str]:
    approval = transition.approval
    assert approval is not None
    names = base_approvers(session, module, record, approval)
    excluded = record.owner if not transition.self_approval and record.owner else None
    names.discard(excluded)
    for extra in extra_approvers(session, module, record.id, transition.id):
        if extra.replaces is not None:
            if extra.replaces not in names:
                continue  # the delegator holds no vote (any more): there is nothing to move
            names.discard(extra.replaces)
        names.add(extra.user_name)
    names.discard(excluded)
    readable = []
    for name in sorted(names):
        who = _user_actor(session, name)
        if who is not None and can_read(session, catalog, module, record.id, who):
            readable.append(name)
    return readable


def _delegated(names: set[str], extras: list[ExtraApprover]) -> set[str]:
    """A group's members after the delegations (转交) replayed in order."""
    names = set(names)
    for extra in extras:
        if extra.replaces is not None and extra.replaces in names:
            names.discard(extra.replaces)
            names.add(extra.user_name)
    return names


def group_progress(
    session: Session,
    module: Module,
    record: Record,
    transition: Transition,
    eligible: list[str],
    voted: tuple[str, ...],
) -> tuple[GroupProgress, ...]:
    """Each group of an approval that lists several, with its members among `eligible`."""
    approval = transition.approval
    assert approval is not None
    extras = extra_approvers(session, module, record.id, transition.id)
    groups: list[tuple[str | None, str | None, set[str], str | int]] = [
        (g.role, g.field, _group_users(session, record, g.role, g.field), g.quorum)
        for g in approval.groups
    ]
    added = {e.user_name for e in extras if e.replaces is None}
    if added:
        groups.append((None, None, added, "all"))
    shown = []
    for role, field, members, quorum in groups:
        names = tuple(n for n in eligible if n in _delegated(members, extras))
        needed = needed_votes(replace(approval, quorum=quorum), len(names))
        shown.append(
            GroupProgress(role, field, names, tuple(v for v in voted if v in names), needed)
        )
    return tuple(shown)


def progress(
    session: Session, catalog: Catalog, module: Module, record: Record, transition: Transition
) -> Progress:
    eligible = eligible_approvers(session, catalog, module, record, transition)
    voted = tuple(
        v.voter
        for v in open_votes(session, module, record.id, transition.id)
        if v.voter in eligible
    )
    approval = transition.approval
    assert approval is not None
    if approval.groups:
        groups = group_progress(session, module, record, transition, eligible, voted)
        needed = needed_votes(approval, len(groups))
        return Progress(transition.id, tuple(eligible), voted, needed, groups)
    return Progress(transition.id, tuple(eligible), voted, needed_votes(approval, len(eligible)))
