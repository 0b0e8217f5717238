"""Shared fixtures: a fresh database on SQLite always, and on PostgreSQL when one is reachable.

PostgreSQL is the server at ``WASTESCREEN_TEST_POSTGRES_URL`` (``.ci/run`` sets it to the
machine's server) or, when that variable is unset, the local default
``postgresql+psycopg://postgres@127.0.0.1:5432/postgres``; each test run creates its own
database there and drops it afterwards. When nothing answers within a few seconds the
PostgreSQL tests are skipped, saying so. ``WASTESCREEN_TEST_POSTGRES_URL=`` (set, empty) turns
them off without trying any server.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from tests.demo_service import DemoService, build_demo_service
from wastescreen.core.settings import Settings
from wastescreen.storage.database import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PG_ENV = "WASTESCREEN_TEST_POSTGRES_URL"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
PG_CONNECT_TIMEOUT = 3  # seconds: a server that does not answer by then is taken as absent


def _postgres_admin_url() -> str | None:
    """The server's URL: the variable's, the local default when it is unset, None when it is
    set empty (PostgreSQL tests off)."""
    value = os.environ.get(PG_ENV)
    if value is None:
        return PG_DEFAULT
    return value.strip() or None


@contextmanager
def _new_postgres_database(prefix: str) -> Iterator[str]:
    """URL of a new, empty PostgreSQL database, dropped afterwards; skips with the reason if
    no server is reachable."""
    admin = _postgres_admin_url()
    if not admin:
        pytest.skip(f"PostgreSQL tests skipped: {PG_ENV} is set empty (unset it to try "
                    f"{PG_DEFAULT}, or set it to a server URL)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    shown = make_url(admin).render_as_string(hide_password=True)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT",
                           connect_args={"connect_timeout": PG_CONNECT_TIMEOUT})
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))  # name is generated, not input
    except Exception as exc:
        engine.dispose()
        how = (f"{PG_ENV} is unset: the local default"
               if os.environ.get(PG_ENV) is None else f"from {PG_ENV}")
        pytest.skip(f"PostgreSQL tests skipped: no server usable at {shown} ({how}; "
                    f"{type(exc).__name__}, connect timeout {PG_CONNECT_TIMEOUT} s). Start one "
                    f"there, point {PG_ENV} at one, or set it empty to turn these tests off")
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database for this run; skips with the reason if none."""
    with _new_postgres_database("wastescreen_test") as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated, empty database on each backend."""
    if request.param == "sqlite":
        settings = Settings(var_dir=tmp_path / "var")
    else:
        settings = Settings(var_dir=tmp_path / "var",
                            database_url=request.getfixturevalue("postgres_url"))
    database = open_database(settings)
    if request.param == "postgresql":
        _truncate_all(database)
    yield database
    database.dispose()


def _truncate_all(database: Database) -> None:
    from wastescreen.storage.tables import Base

    with database.engine.begin() as conn:
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = open_database(Settings(var_dir=tmp_path / "var"))
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> DemoService:
    """The demo service (``tests.demo_service``), built once per test session."""
    return build_demo_service(tmp_path_factory.mktemp("service") / "var")


@pytest.fixture(scope="session")
def pg_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoService]:
    """The same demo service with its data on PostgreSQL (skips with the reason when no
    server is reachable); built once per test session, in a database of its own (the ``db``
    fixture empties the shared one before each test)."""
    with _new_postgres_database("wastescreen_service") as url:
        demo = build_demo_service(tmp_path_factory.mktemp("pg_service") / "var", url)
        yield demo
        demo.db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_service(request: pytest.FixtureRequest) -> DemoService:
    """The demo service on each backend."""
    name = "service" if request.param == "sqlite" else "pg_service"
    demo: DemoService = request.getfixturevalue(name)
    return demo


def _pdf_unavailable() -> str | None:
    """Why PDF rendering cannot run here (WeasyPrint without Pango/HarfBuzz), or None."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            import weasyprint  # noqa: F401 - only loading its system libraries is tested
        except (ImportError, OSError) as exc:
            return (f"PDF tests skipped: WeasyPrint cannot load its system libraries "
                    f"({type(exc).__name__}); apt-get install libpango-1.0-0 "
                    "libpangoft2-1.0-0 libharfbuzz-subset0")
    return None


PDF_UNAVAILABLE = _pdf_unavailable()
requires_pdf = pytest.mark.skipif(PDF_UNAVAILABLE is not None, reason=PDF_UNAVAILABLE or "")
