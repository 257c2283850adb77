"""Writing rows fast: PostgreSQL `COPY`, SQLite `executemany`, explicit primary keys.

Rows are plain tuples in the order of a table's `columns`; ids are allocated by
`Ids` from the table's current maximum, so nothing has to be read back, and the
PostgreSQL sequences are moved past them at the end (`reset_sequences`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.core.management.color import no_style
from django.db import connection, models


class Table:
    """One table to fill: its model (or auto-created through model) and the columns written."""

    def __init__(self, model: type[models.Model], columns: Sequence[str]) -> None:
        self.model = model
        self.name = model._meta.db_table
        self.columns = tuple(columns)
        fields = {f.column: f for f in model._meta.concrete_fields}
        unknown = [c for c in self.columns if c not in fields]
        if unknown:
            raise ValueError(f"{self.name}: no such columns {unknown}")
        self.fields = [fields[c] for c in self.columns]
        # Columns that SQLite needs converted (PostgreSQL's binary COPY takes the Python values).
        self.sqlite_conversions: list[tuple[int, object]] = []
        for index, field in enumerate(self.fields):
            if isinstance(field, models.DateTimeField):
                self.sqlite_conversions.append((index, _sqlite_datetime))
            elif isinstance(field, models.DateField):
                self.sqlite_conversions.append((index, date.isoformat))
            elif isinstance(field, models.JSONField):
                self.sqlite_conversions.append((index, as_json))
            elif isinstance(field, models.UUIDField):
                self.sqlite_conversions.append((index, _uuid_hex))
            elif isinstance(field, models.GenericIPAddressField):
                self.sqlite_conversions.append((index, str))
        self.rows: list[tuple] = []
        self.written = 0

    def __repr__(self) -> str:
        return f"<Table {self.name}>"

    def pg_types(self) -> list[str]:
        """The PostgreSQL type of every column, for binary COPY (ten times less work than text)."""
        out = []
        for field in self.fields:
            db_type = field.db_type(connection).split("(")[0].strip()
            out.append(_PG_TYPES.get(db_type, db_type))
        return out


_PG_TYPES = {"bigint": "int8", "integer": "int4", "smallint": "int2", "boolean": "bool",
             "timestamp with time zone": "timestamptz", "double precision": "float8", "character varying": "varchar"}


def _uuid_hex(value) -> str:
    return value.hex


def _sqlite_datetime(value: datetime) -> str:
    """As Django stores it on SQLite: naive UTC, 'YYYY-MM-DD HH:MM:SS[.ffffff]'."""
    return value.replace(tzinfo=None).isoformat(" ")


def as_json(value) -> str:
    """JSON columns hold Python values; SQLite stores them as text."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class Ids:
    """Primary keys in ranges: each table continues after its largest id."""

    def __init__(self, tables: Iterable[Table]) -> None:
        self.next: dict[str, int] = {}
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'SELECT MAX(id) FROM "{table.name}"')  # noqa: S608 - our own table names
                self.next[table.name] = (cursor.fetchone()[0] or 0) + 1


def write(tables: Iterable[Table]) -> int:
    """Write and clear the pending rows of every table, in the given order; returns the row count.

    The caller holds the transaction. PostgreSQL uses binary COPY (so values are
    Python objects of the column's type: lists for JSON, `UUID`, `ip_address`); SQLite one prepared
    INSERT run over all rows (`executemany`), which is what `bulk_create` does
    in batches, without building a model instance per row.
    """
    total = 0
    raw = connection.connection
    for table in tables:
        if not table.rows:
            continue
        columns = ", ".join(f'"{c}"' for c in table.columns)
        if connection.vendor == "postgresql":
            sql = f'COPY "{table.name}" ({columns}) FROM STDIN (FORMAT BINARY)'
            with raw.cursor() as cursor, cursor.copy(sql) as copy:
                copy.set_types(table.pg_types())
                for row in table.rows:
                    copy.write_row(row)
        else:
            conversions = table.sqlite_conversions
            rows = table.rows
            if conversions:
                converted = []
                for row in rows:
                    row = list(row)
                    for index, convert in conversions:
                        value = row[index]
                        if value is not None:
                            row[index] = convert(value)
                    converted.append(row)
                rows = converted
            marks = ", ".join("?" * len(table.columns))
            raw.executemany(f'INSERT INTO "{table.name}" ({columns}) VALUES ({marks})', rows)  # noqa: S608
        total += len(table.rows)
        table.written += len(table.rows)
        table.rows = []
    return total


def reset_sequences(tables: Iterable[Table]) -> None:
    """Move PostgreSQL's id sequences past the ids written (SQLite's AUTOINCREMENT follows by itself)."""
    if connection.vendor != "postgresql":
        return
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def may_skip_triggers() -> bool:
    """Whether this PostgreSQL role may switch off trigger-based checks for the load."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT has_parameter_privilege(current_user, 'session_replication_role', 'SET')"
                       if connection.pg_version >= 150000 else
                       "SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


def set_replication_role(role: str) -> None:
    """`replica` skips the foreign-key triggers (checked by the generator's tests instead); `origin` is normal."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET session_replication_role = {role}")  # only 'replica' or 'origin'


def analyze() -> None:
    """Fresh planner statistics after the load (and, on PostgreSQL, the visibility map)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:  # VACUUM cannot run in a transaction (tests)
            cursor.execute("ANALYZE")
    elif connection.vendor == "postgresql":
        previous = connection.get_autocommit()
        connection.set_autocommit(True)
        try:
            with connection.cursor() as cursor:
                cursor.execute("VACUUM (ANALYZE)")
        finally:
            connection.set_autocommit(previous)
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
