"""Model reads of a fixed shape, compiled once: the circle's members and arrangements.

Every circle page, the eco-map and the API read a case's members and arrangements
with querysets that differ only in the case id. Building and compiling them costs
the ORM more than running them. A `PreparedModels` builds its queryset once per
database (with a marker in the place of the id, as `kring.cases.prepared` does for
`values_list` reads), keeps the SQL, and after that puts the id in, runs it and
makes the instances the way the ORM's own iterable does: the backend's converters,
then `Model.from_db` with the loaded fields (the others stay deferred, as with
`.only()`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet

from kring.cases.prepared import MARKER

M = TypeVar("M", bound=Model)


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


class PreparedModels(Generic[M]):
    """`list(build(value))`, compiled once per database.

    `build` must return a plain model queryset (no `select_related`, annotations,
    prefetches or related-manager caches) in which `value` is the only parameter
    that varies, used once.
    """

    def __init__(self, build: Callable[[int], QuerySet[M]]) -> None:
        self._build = build
        self._compiled: dict[tuple[str, str], _Compiled] = {}

    def _compile(self, connection) -> _Compiled:
        queryset = self._build(MARKER)
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise ValueError("a prepared model read cannot prefetch or know related objects")
        query = queryset.query
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = [i for i, p in enumerate(params) if p == MARKER]
        if len(positions) != 1:
            raise ValueError(f"the value must be one parameter of the query, found {len(positions)}")
        klass_info = compiler.klass_info
        if klass_info.get("related_klass_infos") or compiler.annotation_col_map:
            raise ValueError("a prepared model read reads one model's own columns only")
        select_fields = klass_info["select_fields"]
        start, end = select_fields[0], select_fields[-1] + 1
        return _Compiled(
            query=query, sql=sql, params=tuple(params), position=positions[0],
            columns=[expression for expression, _sql, _alias in compiler.select[:compiler.col_count]],
            col_count=compiler.col_count, start=start, end=end,
            field_names=[s[0].target.attname for s in compiler.select[start:end]],
        )

    def __call__(self, value: int, using: str = DEFAULT_DB_ALIAS) -> list[M]:
        connection = connections[using]
        key = (using, connection.vendor)
        compiled = self._compiled.get(key)
        if compiled is None:
            compiled = self._compiled[key] = self._compile(connection)
        values = list(compiled.params)
        values[compiled.position] = value
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, values)
            rows = cursor.fetchall()
        compiler = compiled.query.get_compiler(connection=connection)
        converters = compiler.get_converters(compiled.columns)
        if converters:
            rows = compiler.apply_converters(rows, converters)
        model = compiled.query.model
        start, end, names = compiled.start, compiled.end, compiled.field_names
        return [model.from_db(using, names, row[start:end]) for row in rows]
