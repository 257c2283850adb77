"""Queries of a fixed shape, compiled once: for the small reads every case page makes.

`PreparedValues` gives tuples (`values_list` reads); `PreparedModels` gives model
instances, with `select_related` rows filled in by Django's own populators (the case
behind every case page, the circle's members and arrangements).

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
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

#: Stands for the varying value while a query is compiled: an id no row has.
MARKER = -918273645


def _compile_marked(query, connection) -> tuple[Any, str, tuple, int]:
    """The compiler, SQL and parameters of `query`, and where in them the marker stands."""
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    positions = [i for i, p in enumerate(params) if p == MARKER]
    if len(positions) != 1:
        raise ValueError(f"the value must be one parameter of the query, found {len(positions)}")
    return compiler, sql, tuple(params), positions[0]


def _run(connection, sql: str, params: tuple, position: int, value: int) -> list:
    """Rows of the compiled `sql` with `value` in the marker's place."""
    values = list(params)
    values[position] = value
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchall()


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
        compiler, sql, params, position = _compile_marked(query, connection)
        columns = [expression for expression, _sql, _alias in compiler.select[:compiler.col_count]]
        return query, sql, params, position, columns, compiler.col_count

    def __call__(self, value: int, using: str = DEFAULT_DB_ALIAS) -> list[tuple]:
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection)
        query, sql, params, position, columns, col_count = compiled
        rows = _run(connection, sql, params, position, value)
        if rows and len(rows[0]) != col_count:
            rows = [row[:col_count] for row in rows]
        compiler = query.get_compiler(connection=connection)
        converters = compiler.get_converters(columns)
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows


@dataclass(frozen=True)
class _Compiled:
    query: Any
    sql: str
    params: tuple
    position: int
    columns: list
    col_count: int
    start: int
    end: int
    field_names: list[str]
    populators: list


class PreparedModels(Generic[M]):
    """`list(build(value))`, compiled once per database.

    `build` must return a model queryset (it may `select_related`; no annotations,
    prefetches or related-manager caches) in which `value` is the only parameter
    that varies, used once. Related rows are filled in by Django's own populators,
    as its model iterable does.
    """

    def __init__(self, build: Callable[[int], QuerySet[M]]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, connection) -> _Compiled:
        queryset = self._build(MARKER)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("a prepared model read cannot prefetch or know related objects")
        query = queryset.query
        compiler, sql, params, position = _compile_marked(query, connection)
        klass_info = compiler.klass_info
        if compiler.annotation_col_map:
            raise ValueError("a prepared model read cannot annotate")
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Compiled(
            query=query, sql=sql, params=params, position=position,
            columns=[expression for expression, _sql, _alias in compiler.select[:compiler.col_count]],
            col_count=compiler.col_count, start=start, end=end,
            field_names=[s[0].target.attname for s in compiler.select[start:end]],
            populators=get_related_populators(klass_info, compiler.select, connection.alias),
        )

    def __call__(self, value: int, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection)
        rows = _run(connection, compiled.sql, compiled.params, compiled.position, value)
        compiler = compiled.query.get_compiler(connection=connection)
        converters = compiler.get_converters(compiled.columns)
        if converters:
            rows = compiler.apply_converters(rows, converters)
        model = compiled.query.model
        start, end, names = compiled.start, compiled.end, compiled.field_names
        found = []
        for row in rows:
            obj = model.from_db(using, names, row[start:end])
            for populator in compiled.populators:
                populator.populate(row, obj)
            found.append(obj)
        return found
