"""Users, roles, grants and API tokens, as an administrator and an integrator meet them."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from argon2 import PasswordHasher, Type
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from engine import accounts, passwords
from engine.errors import NotFound, ValidationFailed
from engine.models import ApiToken, Grant, User


def problem_paths(error: ValidationFailed) -> list[str]:
    return [p.path for p in error.problems]


def test_created_user_signs_in_with_the_password_and_no_other(session: Session) -> None:
    user = accounts.create_user(
        session, "foreman", "correct horse", roles=["foreman"], display_name="王工长"
    )
    assert user.active
    assert user.display_name == "王工长"
    assert accounts.role_ids(user) == {"foreman"}
    assert user.password_hash and "correct horse" not in user.password_hash
    assert user.password_hash.startswith("$argon2")

    assert accounts.verify_password(session, "foreman", "correct horse") is user
    assert accounts.verify_password(session, "foreman", "wrong horse!") is None
    assert accounts.verify_password(session, "nobody", "correct horse") is None


def test_two_users_with_one_password_get_different_hashes(session: Session) -> None:
    a = accounts.create_user(session, "alice", "same password")
    b = accounts.create_user(session, "bob", "same password")
    assert a.password_hash != b.password_hash


def test_duplicate_name_is_refused_naming_the_field(session: Session) -> None:
    accounts.create_user(session, "planner", "first password")
    with pytest.raises(ValidationFailed) as caught:
        accounts.create_user(session, "planner", "second password")
    assert problem_paths(caught.value) == ["/name"]
    assert "already exists" in caught.value.problems[0].message
    assert len(accounts.list_users(session)) == 1


@pytest.mark.parametrize(
    ("name", "password", "paths"),
    [
        ("viewer", "", ["/password"]),
        ("viewer", "seven77", ["/password"]),
        ("", "long enough", ["/name"]),
        ("Viewer", "long enough", ["/name"]),
        ("has space", "long enough", ["/name"]),
        ("x", "long enough", ["/name"]),
        ("a" * 65, "long enough", ["/name"]),
        ("-dash", "short", ["/name", "/password"]),
    ],
)
def test_bad_names_and_passwords_are_refused(
    session: Session, name: str, password: str, paths: list[str]
) -> None:
    with pytest.raises(ValidationFailed) as caught:
        accounts.create_user(session, name, password)
    assert problem_paths(caught.value) == paths
    assert accounts.list_users(session) == []


def test_eight_characters_is_long_enough_and_emails_are_names(session: Session) -> None:
    user = accounts.create_user(session, "zhang.wei@example.com", "12345678")
    assert accounts.verify_password(session, "zhang.wei@example.com", "12345678") is user


def test_roles_can_be_replaced(session: Session) -> None:
    user = accounts.create_user(session, "manager", "password1", roles=["viewer", "viewer"])
    assert accounts.role_ids(user) == {"viewer"}
    accounts.set_roles(session, "manager", ["site_manager", "accountant"])
    session.expire_all()
    again = accounts.get_user(session, "manager")
    assert accounts.role_ids(again) == {"site_manager", "accountant"}
    assert accounts.actor_of(again).roles == {"site_manager", "accountant"}
    assert accounts.actor_of(again).name == "manager"
    with pytest.raises(ValidationFailed) as caught:
        accounts.set_roles(session, "manager", ["ok", " "])
    assert problem_paths(caught.value) == ["/roles/1"]


def test_grants_are_kept_once(session: Session) -> None:
    user = accounts.create_user(
        session, "manager", "password1", grants=[("project", "p1"), ("project", "p2")]
    )
    first = accounts.add_grant(session, user, "project", "p1")
    again = accounts.add_grant(session, "manager", "project", "p1")
    assert first.id == again.id
    assert [(g.module, g.record_id) for g in accounts.list_grants(session, user)] == [
        ("project", "p1"),
        ("project", "p2"),
    ]
    assert session.scalar(select(Grant).where(Grant.record_id == "p2")) is not None
    with pytest.raises(ValidationFailed) as caught:
        accounts.add_grant(session, user, "project", "")
    assert problem_paths(caught.value) == ["/grant/record_id"]


def test_unknown_user_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound):
        accounts.deactivate_user(session, "ghost")
    with pytest.raises(NotFound):
        accounts.create_token(session, "ghost", "ci")


def test_token_is_shown_once_and_stored_as_a_hash(session: Session) -> None:
    user = accounts.create_user(session, "integrator", "password1")
    token = accounts.create_token(session, "integrator", "erp sync")
    assert token.startswith("fw_") and len(token) == 43
    stored = session.scalars(select(ApiToken)).one()
    assert stored.name == "erp sync"
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in stored.token_hash
    assert stored.last_used_at is None

    assert accounts.authenticate_token(session, token) is user
    assert stored.last_used_at is not None
    assert accounts.create_token(session, "integrator", "erp sync") != token


@pytest.mark.parametrize("bad", ["", "fw_", "Bearer x", "fw_" + "a" * 40, "xx_" + "a" * 40])
def test_unknown_or_malformed_tokens_are_refused(session: Session, bad: str) -> None:
    accounts.create_user(session, "integrator", "password1")
    accounts.create_token(session, "integrator", "ci")
    assert accounts.authenticate_token(session, bad) is None


def test_revoked_token_stops_working_and_others_keep_working(session: Session) -> None:
    accounts.create_user(session, "integrator", "password1")
    first = accounts.create_token(session, "integrator", "first")
    second = accounts.create_token(session, "integrator", "second")
    tokens = accounts.list_tokens(session, "integrator")
    assert [t.name for t in tokens] == ["first", "second"]

    accounts.revoke_token(session, tokens[0].id)
    accounts.revoke_token(session, tokens[0].id)  # harmless twice
    assert accounts.authenticate_token(session, first) is None
    assert accounts.authenticate_token(session, second) is not None
    with pytest.raises(NotFound):
        accounts.revoke_token(session, 999_999)
    with pytest.raises(NotFound):
        accounts.revoke_token(session, 99_999_999_999)  # beyond the column's range: not found


def test_deactivated_user_can_neither_sign_in_nor_use_tokens(session: Session) -> None:
    accounts.create_user(session, "accountant", "password1")
    token = accounts.create_token(session, "accountant", "reports")
    accounts.deactivate_user(session, "accountant")

    assert accounts.verify_password(session, "accountant", "password1") is None
    assert accounts.authenticate_token(session, token) is None
    assert all(t.revoked_at is not None for t in accounts.list_tokens(session, "accountant"))
    with pytest.raises(ValidationFailed) as caught:
        accounts.create_token(session, "accountant", "new one")
    assert problem_paths(caught.value) == ["/user"]
    assert [u.name for u in accounts.list_users(session, include_inactive=False)] == []
    assert [u.name for u in accounts.list_users(session)] == ["accountant"]


def test_last_use_is_written_at_most_once_a_minute(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        accounts.create_user(session, "integrator", "password1")
        token = accounts.create_token(session, "integrator", "ci")
    with session_factory.begin() as session:
        accounts.authenticate_token(session, token)
    with session_factory.begin() as session:
        row = session.scalars(select(ApiToken)).one()
        first_use = row.last_used_at
        assert first_use is not None
        assert accounts.authenticate_token(session, token) is not None
        assert row.last_used_at == first_use  # read back from the database, unchanged
        row.last_used_at = first_use - timedelta(minutes=5)
    with session_factory.begin() as session:
        accounts.authenticate_token(session, token)
        row = session.scalars(select(ApiToken)).one()
        assert row.last_used_at is not None
        assert row.last_used_at > first_use - timedelta(minutes=5)


def test_password_can_be_changed(session: Session) -> None:
    accounts.create_user(session, "viewer", "old password")
    accounts.set_password(session, "viewer", "new password")
    assert accounts.verify_password(session, "viewer", "old password") is None
    assert isinstance(accounts.verify_password(session, "viewer", "new password"), User)
    with pytest.raises(ValidationFailed):
        accounts.set_password(session, "viewer", "short")


def test_every_record_of_a_module_can_be_granted_at_once(session: Session) -> None:
    user = accounts.create_user(session, "manager", "password1")
    assert accounts.grant_every_record(session, user, "project") == []  # no such table yet
    session.execute(text("CREATE TABLE m_project (id VARCHAR(36) PRIMARY KEY)"))
    session.execute(text("INSERT INTO m_project (id) VALUES ('b2'), ('a1')"))
    granted = accounts.grant_every_record(session, user, "project")
    assert [(g.module, g.record_id) for g in granted] == [("project", "a1"), ("project", "b2")]
    assert len(accounts.grant_every_record(session, user, "project")) == 2
    assert len(accounts.list_grants(session, user)) == 2


def test_passwords_are_hashed_with_argon2id_at_production_cost() -> None:
    hasher = passwords.DEFAULT_PASSWORD_HASHER
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2  # OWASP's minimum


def test_hashes_made_with_other_parameters_still_verify_and_are_upgraded(
    session: Session,
) -> None:
    user = accounts.create_user(session, "viewer", "password1")
    cheap_hash = user.password_hash
    previous = passwords.set_password_hasher(PasswordHasher(time_cost=2, memory_cost=1024))
    try:
        assert accounts.verify_password(session, "viewer", "password1") is user
        assert user.password_hash != cheap_hash
        assert "m=1024,t=2" in (user.password_hash or "")
    finally:
        passwords.set_password_hasher(previous)
