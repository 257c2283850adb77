"""Queries of a fixed shape, compiled once: for the small reads every case page makes.

The case page reads a case's persons, professionals, timeline and preparation with
`values_list` queries that differ only in the case id. Building and compiling such a
query costs the ORM several times what running it costs, on every page view. A
`PreparedValues` builds the query once per database (with a marker in the place of
the case id), keeps its SQL, and after that only puts the id in and runs it. The SQL,
the rows and the conversion of values (the backend's converters, as the ORM applies
them) are the ORM's own.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet

#: Stands for the varying value while a query is compiled: an id no row has.
MARKER = -918273645


class PreparedValues:
    """`build(value)` as a list of tuples, compiled once per database.

    `build` must return a `values_list` queryset (not `flat`, not `named`) in which
    `value` is the only parameter that varies, used once.
    """

    def __init__(self, build: Callable[[int], QuerySet]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str], tuple[Any, str, tuple, int, list, int]] = {}

    def _compile(self, connection) -> tuple[Any, str, tuple, int, list, int]:
        query = self._build(MARKER).query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = [i for i, p in enumerate(params) if p == MARKER]
        if len(positions) != 1:
            raise ValueError(f"the value must be one parameter of the query, found {len(positions)}")
        columns = [expression for expression, _sql, _alias in compiler.select[:compiler.col_count]]
        return query, sql, tuple(params), positions[0], columns, compiler.col_count

    def __call__(self, value: int, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection)
        query, sql, params, position, columns, col_count = compiled
        values = list(params)
        values[position] = value
        with connection.cursor() as cursor:
            cursor.execute(sql, values)
            rows = cursor.fetchall()
        if rows and len(rows[0]) != col_count:
            rows = [row[:col_count] for row in rows]
        compiler = query.get_compiler(connection=connection)
        converters = compiler.get_converters(columns)
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows
