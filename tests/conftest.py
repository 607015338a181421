"""Fixtures every test can use: a fresh, migrated, empty database per test.

The backend is SQLite unless `TEST_DATABASE_URL` names a PostgreSQL server
(`make test-pg` starts one). Migrating once per session and copying the result keeps a
per-test database cheap: on SQLite a template file is copied into the test's tmp_path, on
PostgreSQL each test gets `CREATE DATABASE t_<random> TEMPLATE <migrated template>`, dropped
afterwards. Nothing a test does can reach instance/: DATABASE_URL and FORMWORK_UPLOADS
point into a temporary folder for the whole run, and SECRET_KEY is set.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from argon2 import PasswordHasher, profiles
from sqlalchemy import Engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from engine import passwords
from engine.db import make_engine, make_session_factory
from engine.migrate import upgrade_database

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()
BACKEND = "postgresql" if TEST_DATABASE_URL else "sqlite"

_scratch_dir: str | None = None


def pytest_configure(config: pytest.Config) -> None:
    """Point the default database and uploads away from instance/ before any test runs."""
    global _scratch_dir
    _scratch_dir = tempfile.mkdtemp(prefix="formwork-tests-")
    os.environ["DATABASE_URL"] = f"sqlite:///{_scratch_dir}/default.db"
    os.environ["FORMWORK_UPLOADS"] = os.path.join(_scratch_dir, "uploads")
    os.environ["SECRET_KEY"] = "test-secret-key"  # else create_app keeps one in instance/


def pytest_unconfigure(config: pytest.Config) -> None:
    if _scratch_dir is not None:
        shutil.rmtree(_scratch_dir, ignore_errors=True)


def pytest_report_header(config: pytest.Config) -> list[str]:
    if BACKEND == "postgresql":
        server = make_url(TEST_DATABASE_URL)
        where = f"{server.host or 'localhost'}:{server.port or 5432}"
        return [f"database backend: postgresql at {where} (a database per test from a template)"]
    return ["database backend: sqlite (a migrated file per test; TEST_DATABASE_URL for PostgreSQL)"]


def _render(url: URL) -> str:
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2's production cost is half a second a hash on a busy machine; tests need none."""
    previous = passwords.set_password_hasher(PasswordHasher.from_parameters(profiles.CHEAPEST))
    yield
    passwords.set_password_hasher(previous)


@pytest.fixture(scope="session")
def backend() -> str:
    """The database backend this run tests: "sqlite" or "postgresql"."""
    return BACKEND


@pytest.fixture(scope="session")
def _pg_admin() -> Iterator[Engine]:
    """An AUTOCOMMIT connection pool to the server's `postgres` database."""
    server = make_url(TEST_DATABASE_URL).set(database="postgres")
    admin = make_engine(_render(server), isolation_level="AUTOCOMMIT")
    try:
        yield admin
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def _template_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated once per session: a file path (SQLite) or a database name."""
    if BACKEND == "sqlite":
        path = tmp_path_factory.mktemp("template") / "template.db"
        template = make_engine(f"sqlite:///{path}")
        try:
            upgrade_database(template)
        finally:
            template.dispose()  # the last connection to close folds the WAL into the file
        yield str(path)
        return

    name = f"fw_template_{uuid.uuid4().hex[:12]}"
    server = make_url(TEST_DATABASE_URL)
    admin = make_engine(_render(server.set(database="postgres")), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            upgrade_database(_render(server.set(database=name)))
            yield name
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.dispose()


@pytest.fixture
def database_url(
    request: pytest.FixtureRequest, _template_database: str, tmp_path: Path
) -> Iterator[str]:
    """The URL of a fresh, migrated, empty database that lives as long as the test."""
    if BACKEND == "sqlite":
        path = tmp_path / "formwork.db"
        shutil.copyfile(_template_database, path)
        for suffix in ("-wal", "-shm"):
            if os.path.exists(_template_database + suffix):
                shutil.copyfile(_template_database + suffix, f"{path}{suffix}")
        yield f"sqlite:///{path}"
        return

    admin: Engine = request.getfixturevalue("_pg_admin")
    name = f"t_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        # FILE_COPY (PostgreSQL 15+) copies a small database faster than the WAL_LOG default.
        version = connection.dialect.server_version_info or (0,)
        strategy = " STRATEGY FILE_COPY" if version >= (15,) else ""
        connection.exec_driver_sql(
            f'CREATE DATABASE "{name}" TEMPLATE "{_template_database}"{strategy}'
        )
    try:
        yield _render(make_url(TEST_DATABASE_URL).set(database=name))
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(name="engine")
def engine_fixture(database_url: str) -> Iterator[Engine]:
    """A SQLAlchemy engine on the test's database, disposed afterwards."""
    engine = make_engine(database_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def session(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session with a transaction already open; whatever it did not commit is rolled back.

    On SQLite that transaction holds the database's write lock (BEGIN IMMEDIATE) once it
    first touches the database: a test that also writes through another connection should
    use `session_factory` instead.
    """
    with session_factory() as session:
        session.begin()
        try:
            yield session
        finally:
            if session.in_transaction():
                session.rollback()
