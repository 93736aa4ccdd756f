"""The seat map's one statement (events.services.seats._seat_map), written once as SQL from the
models' names: built by the ORM per booking it cost milliseconds of Python inside the meeting
lock that the meeting's other bookings queue behind (issue 14)."""
from __future__ import annotations

import functools

from django.db import connection

from ..models import Registration, SeatPool

# The statuses of a row that holds a seat in its seat pool (occupying, or an offer still counted).
SEATED = tuple(dict.fromkeys((*Registration.OCCUPYING, Registration.Status.OFFERED)))


@functools.cache
def seat_map_sql() -> str:
    """The seat map's statement: the meeting's pools, each joined to two aggregates over the
    meeting's registrations – the seated rows grouped by seat pool (occupied seats, earliest
    offer deadline) and the waiting rows grouped by pool (anyone waiting; how many since
    ``waiting_until`` or earlier: NULL counts nobody) – each read once from its index on
    (seat_pool, status) or (pool, status, waiting_since). Never an aggregate over a join of
    the two (it would count the waiting line once per seated row), nor a subquery per pool
    (with a long line PostgreSQL scanned the table once per pool: 3 ms a booking, under the
    lock, at 1,000 registrations). Parameters: the occupying statuses, offered, the seated
    statuses, the meeting, ``waiting_until``, the meeting, waiting, the meeting. Names come
    from the models."""
    registration, pool = Registration._meta, SeatPool._meta
    qn = connection.ops.quote_name
    column = {name: qn(registration.get_field(name).column) for name in
              ("seat_pool", "pool", "status", "offer_expires_at", "waiting_since")}
    table, pools, pk = qn(registration.db_table), qn(pool.db_table), qn(pool.pk.column)
    meeting, position = qn(pool.get_field("meeting").column), qn(pool.get_field("position").column)
    occupying, seated = ", ".join(["%s"] * len(Registration.OCCUPYING)), ", ".join(["%s"] * len(SEATED))
    pools_of_meeting = f"(SELECT q.{pk} FROM {pools} q WHERE q.{meeting} = %s)"
    return (
        f"SELECT p.*, COALESCE(s.occupied, 0) AS occupied_seats, s.first_offer_lapses, "
        f"COALESCE(w.waiting, 0) > 0 AS has_waiting, COALESCE(w.until, 0) AS waiting_until "
        f"FROM {pools} p "
        f"LEFT JOIN (SELECT r.{column['seat_pool']} AS pool, "
        f"SUM(CASE WHEN r.{column['status']} IN ({occupying}) THEN 1 ELSE 0 END) AS occupied, "
        f"MIN(CASE WHEN r.{column['status']} = %s THEN r.{column['offer_expires_at']} END) AS first_offer_lapses "
        f"FROM {table} r WHERE r.{column['status']} IN ({seated}) AND r.{column['seat_pool']} IN {pools_of_meeting} "
        f"GROUP BY r.{column['seat_pool']}) s ON s.pool = p.{pk} "
        f"LEFT JOIN (SELECT r.{column['pool']} AS pool, COUNT(*) AS waiting, "
        f"SUM(CASE WHEN r.{column['waiting_since']} <= %s THEN 1 ELSE 0 END) AS until "
        f"FROM {table} r WHERE r.{column['pool']} IN {pools_of_meeting} AND r.{column['status']} = %s "
        f"GROUP BY r.{column['pool']}) w ON w.pool = p.{pk} "
        f"WHERE p.{meeting} = %s ORDER BY p.{position}, p.{pk}"
    )
