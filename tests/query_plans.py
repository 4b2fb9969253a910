"""Reading the query plans of the statements a page sends: which tables it reads whole.

A page that scans a table that grows with use (certificates, credit entries, attempts...) is
fast in a test and slow at a real provider's size, whatever its statement count. These
helpers record each statement a request sends, with its parameters, and ask the database how
it would run it: ``EXPLAIN QUERY PLAN`` on SQLite (a ``SCAN <table>`` step without an index),
``EXPLAIN`` on PostgreSQL (a ``Seq Scan on <table>``, with sequential scans priced out so
that the planner's choice on a small test table does not hide a missing index).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

#: Tables whose size is fixed by configuration, not by use: reading them whole is fine.
SMALL_TABLES = frozenset(
    {
        "alembic_version",
        "cert_issuer_key",
        "cert_issuer_state",
        "lms_certification",
        "lms_course_certification",
        "lms_ledger_head",
        "lms_provider",
        "lms_requirement_rule",
        "lms_setting",
    }
)


@dataclass(frozen=True)
class Sent:
    statement: str
    parameters: Any


def statements_of(engine: Engine, action: Callable[[], Any]) -> list[Sent]:
    """Every statement ``action`` sends through ``engine``, with its parameters."""
    sent: list[Sent] = []

    def record(_conn, _cursor, statement, parameters, _context, _many) -> None:  # noqa: ANN001
        sent.append(Sent(statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


# "SCAN t" and "SCAN t USING INDEX i" both read every row (the second in index order);
# "SEARCH t USING INDEX i (col=?)" reads only the rows asked for.
_SQLITE_SCAN = re.compile(r"\bSCAN ([a-z_][a-z0-9_]*)")
_PG_SEQ_SCAN = re.compile(r"Seq Scan on (\w+)")


def full_scans(engine: Engine, sent: Iterable[Sent]) -> list[tuple[str, str]]:
    """(table, statement) for each read of a whole table outside :data:`SMALL_TABLES`."""
    found = []
    with engine.connect() as connection:
        raw = connection.connection.driver_connection
        postgres = engine.dialect.name == "postgresql"
        cursor = raw.cursor()
        if postgres:
            cursor.execute("SET enable_seqscan = off")
        for item in sent:
            head = item.statement.lstrip().split(None, 1)[0].upper()
            if head not in ("SELECT", "UPDATE", "DELETE", "WITH"):
                continue
            cursor.execute(("EXPLAIN " if postgres else "EXPLAIN QUERY PLAN ") + item.statement,
                           item.parameters)  # fmt: skip
            rows = cursor.fetchall()
            plan = "\n".join(str(row[-1] if not postgres else row[0]) for row in rows)
            pattern = _PG_SEQ_SCAN if postgres else _SQLITE_SCAN
            for table in pattern.findall(plan):
                # anon_N: a subquery SQLite materialized, read from memory, not a table
                if table not in SMALL_TABLES and not re.fullmatch(r"anon_\d+", table):
                    found.append((table, " ".join(item.statement.split())[:200]))
        if postgres:
            cursor.execute("RESET enable_seqscan")
        cursor.close()
    return found
