"""Which database errors mean "the database is unavailable right now" (a 503 the client retries), not a bug."""

import psycopg
from django.db import InterfaceError, InternalError, OperationalError, connections

# SQLSTATE 25006: a write reached a server that is read-only, e.g. a primary demoted during failover.
_READ_ONLY_SQL_TRANSACTION = "25006"


def _read_only(exc: BaseException) -> bool:
    cause = exc.__cause__ if isinstance(exc, InternalError) else exc
    return getattr(cause, "sqlstate", None) == _READ_ONLY_SQL_TRANSACTION


def database_unavailable(exc: BaseException) -> bool:
    """Connection refused or lost, terminated by an administrator, too many clients, no free connection in the
    pool, a read-only server during failover, a lock or statement timeout: all pass by themselves.

    Django wraps the driver's errors (OperationalError, InterfaceError); psycopg's own are matched too for
    code that talks to the driver directly.
    """
    if isinstance(exc, OperationalError | InterfaceError | psycopg.OperationalError | psycopg.InterfaceError):
        return True
    return _read_only(exc)


def forget_read_only_connections(exc: BaseException) -> None:
    """After a read-only error, drop this thread's connections: a kept one would stay on the demoted server
    (until CONN_MAX_AGE), the next request reconnects and reaches the new primary."""
    if not _read_only(exc):
        return
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()
