"""Prepared reads: a queryset the ORM compiles once per connection and shape, then runs with
new values (issue 14).

Building and compiling a queryset costs more CPU than running it: on the benchmark machine
about 1 ms per read against 0.2–0.4 ms for executing the statement and making the objects, and
a registration makes some twenty reads. For the reads on the hottest paths (the signed-in
person and their session, the meeting and its forum, the visitor's companies and their
registrations at the meeting, the header menu, whom a reply reaches, the booking's locked
meeting; README lists them) a :class:`Statement` keeps what Django's compiler produced – the
SQL, the selected columns, how the objects are made – and only binds the values of the call::

    MEETING = Statement(lambda: Meeting.objects.select_related("forum").filter(pk=Param("pk"))[:1])
    meeting = MEETING.first(pk=42)

The SQL is still the ORM's own (quoting, joins, the backend's dialect); only the values in
place of each :class:`Param` or :class:`Params` change between calls. The builder takes no
arguments, so a value can only reach the statement through a parameter. Supported: model rows
(with ``select_related``, annotations, ordering, slicing, ``select_for_update`` inside a
transaction) and ``values_list`` rows; not ``prefetch_related`` or querysets from a related
manager (their known parent object would be the first call's), which raise ``TypeError``
when first run.
"""
from __future__ import annotations

import contextvars
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import Expression, Model, QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.transaction import TransactionManagementError

# The sizes of the list parameters while a shape is compiled (read by Params.as_sql).
_SIZES: contextvars.ContextVar[dict[str, int]] = contextvars.ContextVar("statement_sizes")


@dataclass(frozen=True)
class _Slot:
    """Where a call's value goes among the compiled parameters."""

    name: str
    index: int | None = None


class Param(Expression):
    """One value given when the statement runs: ``filter(meeting=Param("meeting"))``. Pass a
    plain value or a model instance (its primary key is bound)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        return "%s", [_Slot(self.name)]


class Params(Expression):
    """A list of values given when the statement runs: ``filter(organisation__in=Params("ids"))``.
    Each length is its own shape (compiled once); an empty list is what the ORM makes of one
    (no rows from that condition)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        size = _SIZES.get()[self.name]
        if not size:
            raise EmptyResultSet
        return ", ".join(["%s"] * size), [_Slot(self.name, index) for index in range(size)]


def _db_value(value: Any, connection: Any) -> Any:
    """A call's value as the backend takes it (as the ORM's fields would prepare it)."""
    if isinstance(value, Model):
        value = value.pk
    if isinstance(value, dt.datetime):
        return connection.ops.adapt_datetimefield_value(value)
    if isinstance(value, dt.date):
        return connection.ops.adapt_datefield_value(value)
    return value


@dataclass
class _Compiled:
    """One shape compiled on one connection: the SQL, the parameters with their slots, and
    what Django's iterables need to make the rows (``None`` sql: the ORM found no rows possible)."""

    sql: str | None
    params: list[Any]
    slots: list[tuple[int, _Slot]]
    compiler: Any
    converters: dict[int, Any]
    values: bool
    init_list: list[str]
    model_slice: slice
    populators: list[Any]
    locks: bool  # a select_for_update read: it needs a transaction on every call


class Statement:
    """A read compiled once per database connection and shape (see the module docstring).
    What is compiled is kept on the connection, which is the thread's own: so threads never
    share a compiler, and it goes when the connection does. Side effects: none (a read)."""

    def __init__(self, build: Callable[[], QuerySet]) -> None:
        self.build = build
        self._model: type[Model] | None = None  # known at the first call: models load after import
        self._for_write = False

    @property
    def model(self) -> type[Model]:
        """The queryset's model (and whether it reads from the database for writes, as a
        locking read does), learnt from the builder at the first call."""
        if self._model is None:
            queryset = self.build()
            self._for_write = queryset._for_write
            self._model = queryset.model
        return self._model

    def __call__(self, **values: Any) -> list[Any]:
        """The rows for these values: model instances, or tuples for a ``values_list`` read.
        A list parameter takes a list or tuple (sets are sorted into one)."""
        values = {name: sorted(value) if isinstance(value, set | frozenset) else value
                  for name, value in values.items()}
        model = self.model
        alias = router.db_for_write(model) if self._for_write else router.db_for_read(model)
        connection = connections[alias]
        shape = tuple(sorted((name, len(value)) for name, value in values.items() if isinstance(value, list | tuple)))
        compiled = connection.__dict__.setdefault("forum_statements", {}).get((self, shape))
        if compiled is None:
            compiled = self._compile(connection, alias, shape)
        if compiled.sql is None:
            return []
        if compiled.locks and connection.get_autocommit():
            # What Django's compiler checks when it compiles a locking read, on every call.
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        params = list(compiled.params)
        for position, slot in compiled.slots:
            value = values[slot.name] if slot.index is None else values[slot.name][slot.index]
            if value is None:
                # The ORM would have compared IS NULL; "= NULL" finds nothing. Say so instead.
                raise TypeError(f"statement parameter {slot.name!r} is None")
            params[position] = _db_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows: Iterator[Any] = iter(cursor.fetchall())
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        if compiled.values:
            return [tuple(row) for row in rows]
        return [self._instance(compiled, row, alias) for row in rows]

    def first(self, **values: Any) -> Any | None:
        """The first row, or None (slice the queryset in the builder to fetch only one)."""
        rows = self(**values)
        return rows[0] if rows else None

    # --- compiling ------------------------------------------------------------------------
    def _compile(self, connection: Any, alias: str, shape: tuple) -> _Compiled:
        queryset = self.build()
        if queryset._prefetch_related_lookups or queryset._known_related_objects:
            raise TypeError("a Statement cannot prefetch or start from a related manager")
        values = queryset._iterable_class is ValuesListIterable
        if not values and queryset._iterable_class is not ModelIterable:
            raise TypeError("a Statement reads model rows or values_list rows")
        if values and (queryset.query.annotation_select or queryset.query.extra_select):
            # Django's ValuesListIterable reorders such columns; a Statement does not.
            raise TypeError("a values_list Statement reads fields only")
        compiler = queryset.query.get_compiler(using=alias)
        token = _SIZES.set(dict(shape))
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            sql, params = None, ()
        finally:
            _SIZES.reset(token)
        locks = bool(queryset.query.select_for_update)
        if sql is None:
            compiled = _Compiled(None, [], [], compiler, {}, values, [], slice(0), [], locks)
        else:
            fields = [column[0] for column in compiler.select[0:compiler.col_count]]
            klass_info = compiler.klass_info
            model_slice, init_list, populators = slice(0), [], []
            if not values:
                start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
                model_slice = slice(start, end)
                init_list = [column[0].target.attname for column in compiler.select[start:end]]
                populators = get_related_populators(klass_info, compiler.select, alias)
            compiled = _Compiled(
                sql, list(params), [(i, p) for i, p in enumerate(params) if isinstance(p, _Slot)], compiler,
                compiler.get_converters(fields), values, init_list, model_slice, populators, locks,
            )
        connection.__dict__["forum_statements"][(self, shape)] = compiled
        return compiled

    @staticmethod
    def _instance(compiled: _Compiled, row: Any, alias: str) -> Model:
        """A row made into its model instance as Django's ModelIterable makes it."""
        klass_info = compiled.compiler.klass_info
        obj = klass_info["model"].from_db(alias, compiled.init_list, row[compiled.model_slice])
        for populator in compiled.populators:
            populator.populate(row, obj)
        for attr_name, position in (compiled.compiler.annotation_col_map or {}).items():
            setattr(obj, attr_name, row[position])
        return obj
