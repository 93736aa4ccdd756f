"""Tally benchmark: 5,000 ranked ballots over 100 candidates.

Times the pure counting functions of :mod:`issues.tally` (Schulze, Borda, dot voting) on
seeded random ballots, best of three with ``time.perf_counter``, and then the full
``issues.services.vote_result`` on PostgreSQL (a throwaway server started with the helpers
of ``scripts/testenv.py``, as ``bench/registration_burst.py`` does), which reads the ballots
and counts the combined result and the business and city rankings beside it.

    python bench/tally_bench.py                 # 5,000 ballots, 100 candidates, with PostgreSQL
    python bench/tally_bench.py --no-db         # the pure count only
    python bench/tally_bench.py --ballots 20000 --candidates 200

Ballots are realistic partial rankings: each voter ranks 5–30 candidates, drawn with a
popularity skew (some issues are on many ballots, some on few), so there are real
majorities and real ties among the rarely ranked. Dot ballots spread 5 points.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SEED = 4004
SECRET_KEY = "bench-only-secret-" + "x" * 40
MAX_BALLOTS = 100_000
MAX_CANDIDATES = 500


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def ranked_ballots(candidates: list[int], count: int, rng: random.Random) -> list[dict[int, int]]:
    """``count`` partial rankings of 5–30 candidates each, with a popularity skew."""
    weights = [1.0 / (1 + i) ** 0.6 for i in range(len(candidates))]
    rng.shuffle(weights)
    ballots = []
    for _ in range(count):
        length = rng.randint(min(5, len(candidates)), min(30, len(candidates)))
        chosen: list[int] = []
        seen: set[int] = set()
        while len(chosen) < length:
            c = rng.choices(candidates, weights=weights, k=1)[0]
            if c not in seen:
                seen.add(c)
                chosen.append(c)
        ballots.append({c: rank for rank, c in enumerate(chosen, start=1)})
    return ballots


def dot_ballots(candidates: list[int], count: int, rng: random.Random, points: int = 5) -> list[dict[int, int]]:
    ballots = []
    for _ in range(count):
        ballot: dict[int, int] = {}
        for _point in range(points):
            c = rng.choice(candidates)
            ballot[c] = ballot.get(c, 0) + 1
        ballots.append(ballot)
    return ballots


def best_of(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


#: Figures for bench/run_all.py (``--json``).
ROWS: list[dict] = []


def pure(args) -> None:
    from issues import tally

    rng = random.Random(SEED)
    candidates = list(range(1, args.candidates + 1))
    ranked = ranked_ballots(candidates, args.ballots, rng)
    dots = dot_ballots(candidates, args.ballots, rng)
    lengths = [len(b) for b in ranked]
    print(f"{args.ballots} ballots over {args.candidates} candidates, {sum(lengths) / len(lengths):.1f} ranked on "
          f"average ({min(lengths)}–{max(lengths)}), {os.cpu_count()} CPU cores; best of 3")
    for name, fn, ballots in (("schulze", tally.schulze, ranked), ("borda", tally.borda, ranked),
                              ("dots", tally.dots, dots)):
        seconds, result = best_of(lambda fn=fn, ballots=ballots: fn(candidates, ballots))
        ROWS.append({"what": f"tally.{name}, {args.ballots} ballots × {args.candidates} candidates",
                     "value": f"{seconds * 1000:.0f} ms", "target": ""})
        print(f"  {name:<8} {seconds * 1000:8.1f} ms   {len(result.ranking)} places, first: {result.ranking[0][:5]}")
    seconds, _ = best_of(lambda: tally.pairwise_matrix(candidates, ranked))
    print(f"  {'pairwise':<8} {seconds * 1000:8.1f} ms   (the pairwise matrix alone; Schulze and Borda both build it)")
    tied_result = tally.schulze(candidates, ranked)
    seconds, _ = best_of(lambda: tally.break_ties(tied_result, ranked, candidates))
    print(f"  {'ties':<8} {seconds * 1000:8.1f} ms   (break_ties for the published order)")


def seed_votes(*, candidates: int, ballots: int) -> dict:
    """A forum, a combined meeting that began an hour ago, ``candidates`` issues and one vote a
    method (Schulze, Borda, dots) with ``ballots`` seeded ballots each, a quarter from the city
    side. Written to the configured database (bulk_create); returns the votes by method.
    The meeting is created as planned a month before it began (``now=``): a meeting cannot be
    created in the past, and the vote of one that is under way is what is timed."""
    import datetime as dt
    import secrets

    from django.utils import timezone

    from events import services as event_services
    from events.models import Meeting
    from forum.services import forum_create
    from issues import services
    from issues.models import Ballot, Issue, Side, Vote

    forum = forum_create(actor=None, municipality="Malmö", name="Bench", slug="bench")
    starts = timezone.now() - dt.timedelta(hours=1)
    meeting = event_services.meeting_create(actor=None, forum=forum, kind=Meeting.Kind.COMBINED, title="Bench",
                                            starts_at=starts, ends_at=starts + dt.timedelta(hours=3),
                                            now=starts - dt.timedelta(days=30))
    issues = Issue.objects.bulk_create(
        Issue(forum=forum, meeting=meeting, text=f"Fråga {i}", side=Side.BUSINESS, status=Issue.Status.CANDIDATE)
        for i in range(candidates))
    ids = [i.pk for i in issues]
    votes = {}
    for method in (Vote.Method.SCHULZE, Vote.Method.BORDA, Vote.Method.DOTS):
        vote = services.vote_create(actor=None, meeting=meeting, title=f"Bench {method}", candidates=issues,
                                    method=method)
        rng = random.Random(SEED)
        marks = dot_ballots(ids, ballots, rng) if method == Vote.Method.DOTS else ranked_ballots(ids, ballots, rng)
        Ballot.objects.bulk_create(
            (Ballot(vote=vote, voter_key=secrets.token_hex(32), receipt_hash=secrets.token_hex(32),
                    side=Side.CITY if n % 4 == 0 else Side.BUSINESS, marks={str(k): v for k, v in m.items()})
             for n, m in enumerate(marks)), batch_size=1000)
        votes[method] = vote
    return votes


def with_database(args) -> None:
    """Candidates and ballots written with bulk_create, then ``vote_result`` timed."""
    from scripts.testenv import Env

    env = Env()
    try:
        pg_port = env.start_postgres()
        redis_port = env.start_redis()
        os.environ.update(
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{pg_port}/forum",
            REDIS_URL=f"redis://127.0.0.1:{redis_port}/0",
            DJANGO_SECRET_KEY=SECRET_KEY, DJANGO_HTTPS="false", DJANGO_ALLOWED_HOSTS="127.0.0.1",
            DJANGO_SETTINGS_MODULE="forum.settings", DJANGO_LOG_LEVEL="ERROR",
        )
        import django
        from django.core.management import call_command

        django.setup()
        log("migrating")
        call_command("migrate", verbosity=0)

        from issues import services

        results = {}
        for method, vote in seed_votes(candidates=args.candidates, ballots=args.ballots).items():
            results[method] = best_of(lambda vote=vote: services.vote_result(vote))
        print(f"services.vote_result on PostgreSQL ({args.ballots} ballot rows, a quarter city; combined + "
              f"business + city counts; best of 3):")
        for method, (seconds, result) in results.items():
            ROWS.append({"what": f"services.vote_result, {method}, on PostgreSQL",
                         "value": f"{seconds * 1000:.0f} ms", "target": ""})
            print(f"  {method:<8} {seconds * 1000:8.1f} ms   turnout {result['turnout']['ballots']}")
        from django.db import connections

        connections.close_all()
    finally:
        env.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=5000)
    parser.add_argument("--candidates", type=int, default=100)
    parser.add_argument("--no-db", action="store_true", help="skip the PostgreSQL part")
    parser.add_argument("--json", type=Path, help="also write the figures to this file (bench/run_all.py)")
    args = parser.parse_args(argv)
    if not 1 <= args.ballots <= MAX_BALLOTS or not 5 <= args.candidates <= MAX_CANDIDATES:
        parser.error(f"--ballots must be 1..{MAX_BALLOTS} and --candidates 5..{MAX_CANDIDATES}")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "forum.settings")
    pure(args)
    if not args.no_db:
        with_database(args)
    if args.json:
        args.json.write_text(json.dumps({"rows": ROWS}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
