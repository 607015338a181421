"""Every account change leaves its event in the admin trail, with who did it, in the same
transaction; deactivated users can be reactivated; a user's own new password keeps the
session they changed it from."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from engine import accounts, sessions
from engine.admin_log import TrailQuery, admin_events
from engine.errors import ValidationFailed

POLICY = sessions.SessionPolicy()


def _trail(session: Session, action: str | None = None) -> list[tuple[object, ...]]:
    page = admin_events(session, TrailQuery(action=action))
    return [(e.actor, e.action, e.target, e.before, e.after) for e in reversed(page.events)]


def test_creating_a_user_records_who_name_and_roles_never_the_password(session: Session) -> None:
    accounts.create_user(
        session, "ann", "secret-password-1", roles=["viewer"], grants=[("project", "p1")], by="root"
    )
    accounts.create_user(session, "bob", "secret-password-2")  # the command line: no actor
    assert _trail(session) == [
        (
            "root",
            "user.create",
            "user ann",
            None,
            {
                "name": "ann",
                "display_name": None,
                "roles": ["viewer"],
                "grants": [{"module": "project", "record_id": "p1"}],
            },
        ),
        (None, "user.create", "user bob", None, {"name": "bob", "display_name": None, "roles": []}),
    ]
    assert "secret-password" not in repr(_trail(session))


def test_roles_display_name_and_grants_record_before_and_after(session: Session) -> None:
    accounts.create_user(session, "ann", "secret-password-1", roles=["viewer"])
    accounts.set_roles(session, "ann", ["viewer", "planner"], by="root")
    accounts.set_roles(session, "ann", ["planner", "viewer"], by="root")  # no change, no event
    accounts.update_user(session, "ann", display_name="安", by="root")
    accounts.add_grant(session, "ann", "project", "p1", by="root")
    accounts.add_grant(session, "ann", "project", "p1", by="root")  # already there
    assert accounts.remove_grant(session, "ann", "project", "p1", by="root")
    assert not accounts.remove_grant(session, "ann", "project", "p1", by="root")
    grant = {"module": "project", "record_id": "p1"}
    assert _trail(session)[1:] == [
        ("root", "user.roles", "user ann", ["viewer"], ["planner", "viewer"]),
        ("root", "user.update", "user ann", {"display_name": None}, {"display_name": "安"}),
        ("root", "grant.add", "user ann", None, grant),
        ("root", "grant.remove", "user ann", grant, None),
    ]


def test_unknown_roles_are_refused_when_the_caller_knows_the_roles(session: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accounts.create_user(session, "ann", "password-1", roles=["boss"], known_roles={"viewer"})
    assert [(p.path, p.code) for p in caught.value.problems] == [("/roles/0", "unknown_role")]
    accounts.create_user(session, "ann", "password-1", roles=["viewer"], known_roles={"viewer"})
    with pytest.raises(ValidationFailed):
        accounts.set_roles(session, "ann", ["boss"], known_roles={"viewer"})
    assert accounts.role_ids(accounts.get_user(session, "ann")) == {"viewer"}


def test_tokens_are_traced_by_id_and_label_never_the_token(session: Session) -> None:
    accounts.create_user(session, "ann", "password-1")
    token = accounts.create_token(session, "ann", "erp", by="ann")
    (row,) = accounts.list_tokens(session, "ann")
    accounts.revoke_token(session, row.id, by="root")
    accounts.revoke_token(session, row.id, by="root")  # revoked already: no second event
    assert _trail(session, "token") == [
        ("ann", "token.create", "user ann", None, {"id": row.id, "name": "erp"}),
        ("root", "token.revoke", "user ann", {"id": row.id, "name": "erp"}, None),
    ]
    assert token not in repr(_trail(session))


def test_a_reactivated_user_signs_in_again_but_old_sessions_and_tokens_stay_dead(
    session: Session,
) -> None:
    user = accounts.create_user(session, "ann", "password-1")
    cookie = sessions.start_session(session, user, POLICY)
    token = accounts.create_token(session, "ann", "erp")
    accounts.deactivate_user(session, "ann", by="root")
    accounts.deactivate_user(session, "ann", by="root")  # already: no second event
    assert accounts.verify_password(session, "ann", "password-1") is None
    accounts.reactivate_user(session, "ann", by="root")
    accounts.reactivate_user(session, "ann", by="root")
    assert accounts.verify_password(session, "ann", "password-1") is user
    assert sessions.session_user(session, cookie, POLICY) is None
    assert accounts.authenticate_token(session, token) is None
    assert _trail(session, "user")[1:] == [
        (
            "root",
            "user.deactivate",
            "user ann",
            {"active": True},
            {"active": False, "tokens_revoked": 1, "sessions_ended": 1},
        ),
        ("root", "user.reactivate", "user ann", {"active": False}, {"active": True}),
    ]


def test_an_administrator_cannot_deactivate_themself_or_drop_their_admin_role(
    session: Session,
) -> None:
    accounts.create_user(session, "root", "password-1", roles=["admin"])
    with pytest.raises(ValidationFailed):
        accounts.deactivate_user(session, "root", by="root")
    with pytest.raises(ValidationFailed):
        accounts.set_roles(session, "root", ["viewer"], by="root")
    user = accounts.get_user(session, "root")
    assert user.active and accounts.role_ids(user) == {"admin"}


def test_an_own_password_change_needs_the_current_one_and_keeps_this_session(
    session: Session,
) -> None:
    user = accounts.create_user(session, "ann", "password-1")
    here = sessions.start_session(session, user, POLICY)
    elsewhere = sessions.start_session(session, user, POLICY)
    with pytest.raises(ValidationFailed) as caught:
        accounts.change_own_password(session, "ann", "wrong", "short", "shorter")
    assert sorted(p.code for p in caught.value.problems) == [
        "passwords_differ",
        "too_few_characters",
        "wrong_password",
    ]
    assert accounts.verify_password(session, "ann", "password-1") is user
    accounts.change_own_password(session, "ann", "password-1", "password-2", keep=here)
    assert sessions.session_user(session, here, POLICY) is user
    assert sessions.session_user(session, elsewhere, POLICY) is None
    assert accounts.verify_password(session, "ann", "password-2") is user
    assert _trail(session, "user.password") == [
        ("ann", "user.password", "user ann", None, {"sessions_ended": 1})
    ]
