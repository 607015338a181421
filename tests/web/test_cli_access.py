"""Managing roles and grants from the command line changes what a user sees at once."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from engine.accounts import actor_of, get_user
from engine.actor import SYSTEM
from engine.packs import import_pack
from engine.records import create_record, list_records
from tests.engine.sample_pack import sample_pack
from web.cli import cli


@pytest.fixture
def run(database_url):
    runner = CliRunner(env={"DATABASE_URL": database_url})
    return lambda *args, input=None: runner.invoke(
        cli, list(args), input=input, catch_exceptions=False
    )


def test_roles_and_grants_from_the_cli(run, session_factory):
    with session_factory() as session, session.begin():
        import_pack(session, sample_pack())
        p1 = create_record(session, "project", {"code": "P1", "name": "Tower"}, SYSTEM)
        p2 = create_record(session, "project", {"code": "P2", "name": "Bridge"}, SYSTEM)
        for project in (p1, p2):
            create_record(
                session,
                "labour",
                {"project": project.id, "date": "2026-11-02", "worker": "Lee"},
                SYSTEM,
            )
    assert (
        run("users", "create", "zhao", "--password-stdin", input="long enough pass\n").exit_code
        == 0
    )

    def visible():
        with session_factory() as session:
            who = actor_of(get_user(session, "zhao"))
            try:
                return list_records(session, "labour", who).total
            except Exception as exc:  # no role: the module is not even there for them
                return type(exc).__name__

    assert visible() == "NotFound"
    result = run("users", "roles", "zhao", "--role", "site_manager")
    assert result.exit_code == 0 and "now holds: site_manager" in result.output
    assert visible() == 0  # scoped to projects, none granted
    assert run("users", "grant", "zhao", f"project={p1.id}").exit_code == 0
    assert visible() == 1
    listing = run("users", "grants", "zhao").output
    assert p1.id in listing and p2.id not in listing
    assert "Removed 1 of 1" in run("users", "revoke-grant", "zhao", f"project={p1.id}").output
    assert visible() == 0
    assert run("users", "roles", "zhao").exit_code == 0
    assert visible() == "NotFound"
    bad = run("users", "grant", "zhao", "not-a-grant")
    assert bad.exit_code != 0 and "MODULE=RECORD_ID" in bad.output
