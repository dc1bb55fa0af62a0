"""Engine, session factory and declarative base shared by every model."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import DateTime, MetaData, TypeDecorator, create_engine, event
from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

from core.clock import Clock, SystemClock

log = logging.getLogger(__name__)

DEFAULT_DATABASE_URL = "sqlite:///./mentorbot.db"

# Stable constraint names keep Alembic autogenerate and downgrades predictable on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base for every Mentorbot table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (SQLite file by default) with sane per-dialect options."""
    url = url or DEFAULT_DATABASE_URL
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
            # pysqlite's own lazy BEGIN breaks SAVEPOINTs (a released savepoint commits for
            # real); SQLAlchemy's documented recipe hands transaction control to SQLAlchemy.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
            # IMMEDIATE takes the write lock up front: two transactions that both read then
            # write would otherwise deadlock and fail at once ("database is locked") instead
            # of waiting their turn. SQLite has one writer at a time anyway.
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True)


def make_session_factory(engine: Engine, clock: Clock | None = None) -> sessionmaker[Session]:
    """Session factory whose objects stay readable after commit.

    ``clock`` stamps ``created_at``/``updated_at`` on every insert and update made through
    it, so rows and rules agree on what "now" is (a test's fake clock included).
    """
    factory = sessionmaker(expire_on_commit=False)
    bind_clock(factory, clock, engine)
    return factory


def bind_clock(factory: sessionmaker[Session], clock: Clock | None,
               engine: Engine | None = None) -> None:
    """Make ``factory`` stamp rows with ``clock`` (the system clock when None)."""
    bind = engine if engine is not None else factory.kw["bind"]
    # An option engine shares the pool of the engine it came from; re-binding stacks options
    # on the original, never on an earlier option engine.
    base = getattr(bind, "_mentorbot_base", bind)
    bound = base.execution_options(clock=clock) if clock is not None else base
    bound._mentorbot_base = base  # type: ignore[union-attr]
    factory.configure(bind=bound)


def clock_of(factory: sessionmaker[Session]) -> Clock | None:
    """The clock bound by :func:`bind_clock`, if any."""
    bind = factory.kw.get("bind")
    return bind.get_execution_options().get("clock") if bind is not None else None


def clock_for(factory: sessionmaker[Session], clock: Clock | None) -> Clock:
    """One clock for rules and rows: ``clock`` (then bound to ``factory``), else the bound one."""
    if clock is not None:
        if clock_of(factory) is not clock:
            bind_clock(factory, clock)
        return clock
    return clock_of(factory) or SystemClock()


def isolated(session: Session, name: str, work: Callable[[], int]) -> int:
    """Run ``work`` in a savepoint; a unique-key conflict (another writer got there first)
    undoes only this piece and counts 0, and it is tried again next time."""
    try:
        with session.begin_nested():
            return work()
    except IntegrityError as exc:
        log.warning("%s: conflict with another writer, retried next tick: %s", name,
                    str(exc.orig)[:200])
        return 0


def session_clock(session: Session) -> Clock:
    """The clock of the factory ``session`` came from, so a rule deep in a dialog needs no
    clock passed down to agree with the rows it reads."""
    clock = session.get_bind().get_execution_options().get("clock")
    return clock if clock is not None else SystemClock()


def today_of(session: Session) -> date:
    """Today (UTC) by the session's clock."""
    return session_clock(session).now().date()


def stamp_now(context: DefaultExecutionContext) -> datetime:
    """Column default for timestamps: the bound clock, else the system clock."""
    clock = context.execution_options.get("clock")
    return clock.now() if clock is not None else SystemClock().now()


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with factory() as session, session.begin():
        yield session


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database.

    SQLite stores no offset and hands back naive values; comparing those with aware ones
    raises, so values are normalised to UTC on the way in and marked UTC on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC) if value is not None else None
