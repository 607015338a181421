"""@mentions in a comment's text: which user names it calls, and whether each may be called.

A mention is `@` followed by a user name (the characters names allow: engine/accounts.py),
at the start of the text or after a character that cannot be part of a name, so an e-mail
address (`bob@example.com`) is no mention. A sentence's last full stop is not part of the
name unless a user is really named so. Every name mentioned must be an active user who may
read the record: otherwise the whole comment is refused, naming them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.catalog import load_catalog
from engine.definitions.model import Module
from engine.errors import Problem
from engine.models import User
from engine.notifications.events import readers
from engine.workflow.approvals import can_read

MENTION = re.compile(r"(?<![A-Za-z0-9_.@-])@([A-Za-z0-9][A-Za-z0-9_.@-]{1,63})")
TRAILING = ".-_@"  # end a sentence, not a name, unless a user is named so


def mentioned_tokens(body: str) -> list[str]:
    """The lower-cased `@name` tokens of `body`, in order, each once (trailing marks kept)."""
    return list(dict.fromkeys(match.group(1).lower() for match in MENTION.finditer(body)))


def resolve_mentions(
    session: Session, module: Module, record_id: str, body: str, path: str = "/body"
) -> tuple[list[str], list[Problem]]:
    """The user names `body` mentions, and a problem for each that may not be mentioned."""
    tokens = mentioned_tokens(body)
    if not tokens:
        return [], []
    candidates = set(tokens) | {t.rstrip(TRAILING) for t in tokens}
    known = set(session.scalars(select(User.name).where(User.name.in_(sorted(candidates)))))
    names = list(dict.fromkeys(t if t in known else t.rstrip(TRAILING) for t in tokens))
    names = [n for n in names if n]
    return names, list(_problems(session, module, record_id, names, path))


def _problems(
    session: Session, module: Module, record_id: str, names: list[str], path: str
) -> Iterable[Problem]:
    catalog = load_catalog(session)
    found = readers(session, names)
    for name in names:
        who = found.get(name)
        if who is None:
            yield Problem(path, "mention_unknown", {"name": name})
        elif not can_read(session, catalog, module, record_id, who):
            yield Problem(path, "mention_cannot_read", {"name": name})


def mention_candidates(
    session: Session, module: Module, record_id: str, query: str = "", limit: int = 8
) -> list[tuple[str, str]]:
    """(name, display name) of active users who may read the record, matching `query` in
    either; the caller has read the record already. Looks at a bounded number of users."""
    catalog = load_catalog(session)
    statement = select(User.name, User.display_name).where(User.active.is_(True))
    needle = query.strip().lstrip("@")[:64]
    if needle:
        statement = statement.where(
            or_(
                User.name.icontains(needle, autoescape=True),
                func.coalesce(User.display_name, "").icontains(needle, autoescape=True),
            )
        )
    rows = session.execute(statement.order_by(User.name).limit(limit * 6)).all()
    actors = readers(session, [name for name, _display in rows])
    found: list[tuple[str, str]] = []
    for name, display in rows:
        who = actors.get(name)
        if who is not None and can_read(session, catalog, module, record_id, who):
            found.append((name, display or ""))
        if len(found) == limit:
            break
    return found
