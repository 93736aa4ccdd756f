"""The vote under concurrency, and its secrecy (DESIGN "Issues and the priority list").

Concurrency: each test starts threads at once (a ``threading.Barrier``); every thread has its
own PostgreSQL connection (Django connections are per thread, closed at the end of each
thread) and calls the real ``issues.services.ballot_cast``/``vote_close``, which serialise on
a row lock of the vote. ``transaction=True`` so the threads see each other's commits.

Secrecy: the ballots table holds nothing that names a person; the voter key cannot be
recomputed without the server's secret; receipt codes are only stored as hashes.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Callable

import pytest
from django.db import connection, models
from django.utils import timezone

from accounts.models import User
from events.models import Meeting, Registration, SeatPool
from issues import services
from issues.models import Ballot, Issue, Side, Vote, VoterRecord
from tests.factories import make_company, make_meeting, make_registration, make_user, pool_of, run_concurrently

pytestmark = pytest.mark.django_db(transaction=True)


# --- helpers ----------------------------------------------------------------------------
@pytest.fixture
def meeting(forum) -> Meeting:
    """A combined meeting, held now."""
    meeting = make_meeting(forum, kind=Meeting.Kind.COMBINED, title="Höstträff",
                           starts_at=timezone.now() - dt.timedelta(hours=1))
    meeting.status = Meeting.Status.HELD
    meeting.save(update_fields=["status"])
    return meeting


@pytest.fixture
def vote(meeting) -> Vote:
    """An open Schulze vote over four candidate issues."""
    issues = []
    for text in ("Fler praktikplatser inom bygg", "Snabbare bygglov", "Lokaler för unga företag",
                 "Yrkessvenska på arbetsplatsen"):
        issue = services.issue_create(actor=None, meeting=meeting, text=text, side=Side.BUSINESS, keyed_in=True)
        issues.append(services.issue_set_status(actor=None, issue=issue, status=Issue.Status.CANDIDATE))
    vote = services.vote_create(actor=None, meeting=meeting, title="Prioriteringslista", candidates=issues)
    return services.vote_open(actor=None, vote=vote)


def _participants(meeting: Meeting, count: int, *, municipal: int = 0) -> list[Registration]:
    """``count`` confirmed participants, the first ``municipal`` of them in a municipal pool."""
    result = []
    for i in range(count):
        company = make_company()
        pool = pool_of(meeting, SeatPool.Kind.MUNICIPAL if i < municipal else SeatPool.Kind.CITY_PICK)
        attendee = make_user(f"voter{company.pk}@forum.example")
        result.append(make_registration(meeting, company, pool=pool, attendee=attendee,
                                        attendee_email=attendee.email))
    return result


def _ranks(vote: Vote, order: list[int]) -> dict[str, int]:
    """Marks ranking the vote's candidates (by position in creation order) as ``order``."""
    ids = list(vote.candidates.order_by("created_at", "pk").values_list("pk", flat=True))
    return {str(ids[i]): rank for rank, i in enumerate(order, start=1)}


def _cast(vote: Vote, registration: Registration, marks: dict[str, int]) -> Callable[[], str]:
    return lambda: services.ballot_cast(vote=vote, registration=registration, marks=marks)


# --- one voter, many submissions --------------------------------------------------------
@pytest.mark.parametrize("submissions", [2, 10])
def test_simultaneous_submissions_by_one_voter_leave_one_ballot(vote, meeting, submissions):
    (voter,) = _participants(meeting, 1)
    orders = [[0, 1, 2, 3], [3, 2, 1, 0], [1, 0], [2]]
    jobs = [_cast(vote, voter, _ranks(vote, orders[i % len(orders)])) for i in range(submissions)]
    receipts, errors = run_concurrently(jobs)

    assert errors == [None] * submissions  # replacing one's ballot while open is allowed
    assert Ballot.objects.filter(vote=vote).count() == 1
    assert VoterRecord.objects.filter(vote=vote, registration=voter).count() == 1
    # The ballot kept is the last one written; only its receipt finds it.
    ballot = Ballot.objects.get(vote=vote)
    found = [code for code in receipts if services.receipt_check(vote=vote, code=code) is not None]
    assert len(found) == 1
    assert ballot.marks in [_ranks(vote, o) for o in orders]
    services.vote_close(actor=None, vote=vote)
    assert Vote.objects.get(pk=vote.pk).result["turnout"]["ballots"] == 1


def test_many_voters_at_once_each_get_exactly_one_ballot(vote, meeting):
    voters = _participants(meeting, 16, municipal=5)
    # Each voter submits twice at the same moment as everyone else.
    jobs = [_cast(vote, r, _ranks(vote, [i % 4, (i + 1) % 4])) for r in voters for i in range(2)]
    receipts, errors = run_concurrently(jobs)

    assert errors == [None] * len(jobs)
    assert Ballot.objects.filter(vote=vote).count() == len(voters)
    assert VoterRecord.objects.filter(vote=vote).count() == len(voters)
    assert len(set(Ballot.objects.filter(vote=vote).values_list("voter_key", flat=True))) == len(voters)
    assert Ballot.objects.filter(vote=vote, side=Side.CITY).count() == 5
    assert Ballot.objects.filter(vote=vote, side=Side.BUSINESS).count() == 11
    assert sum(services.receipt_check(vote=vote, code=code) is not None for code in receipts) == len(voters)


def test_ballots_racing_the_close_are_counted_or_refused_never_lost(vote, meeting):
    voters = _participants(meeting, 12, municipal=3)
    jobs: list[Callable[[], object]] = [_cast(vote, r, _ranks(vote, [0, 1, 2, 3])) for r in voters]
    jobs.insert(6, lambda: services.vote_close(actor=None, vote=vote))
    results, errors = run_concurrently(jobs)

    close_error = errors.pop(6)
    results.pop(6)
    assert close_error is None
    refused = [e for e in errors if e is not None]
    assert all(isinstance(e, services.IssueError) for e in refused), refused
    accepted = [r for r in results if r is not None]
    assert len(accepted) + len(refused) == len(voters)

    vote.refresh_from_db()
    assert vote.status == Vote.Status.CLOSED
    # No ballot appeared after the result was frozen: its turnout is what the table holds.
    ballots = Ballot.objects.filter(vote=vote).count()
    assert vote.result["turnout"]["ballots"] == ballots == len(accepted)
    assert VoterRecord.objects.filter(vote=vote).count() == ballots
    assert sum(side["ballots"] for side in vote.result["by_side"].values()) == ballots

    # And after closing, nobody can cast (or replace) a ballot.
    with pytest.raises(services.IssueError):
        services.ballot_cast(vote=vote, registration=voters[0], marks=_ranks(vote, [3]))
    assert Ballot.objects.filter(vote=vote).count() == ballots


# --- secrecy ----------------------------------------------------------------------------
def test_ballot_model_has_no_link_to_a_person():
    related = {f.name: f.related_model for f in Ballot._meta.get_fields() if f.is_relation}
    assert related == {"vote": Vote}
    for field in Ballot._meta.get_fields():
        if isinstance(field, (models.ForeignKey, models.OneToOneField, models.ManyToManyField)):
            assert field.related_model not in (User, Registration), field
    # VoterRecord says who voted, but holds no reference to a ballot and no timestamp.
    record_fields = {f.name for f in VoterRecord._meta.get_fields()}
    assert record_fields == {"id", "vote", "registration", "paper", "entered_by"}
    assert not any(isinstance(f, models.DateTimeField) for f in VoterRecord._meta.get_fields())


def test_ballot_ids_are_random_uuids_without_a_sequence(vote, meeting):
    voters = _participants(meeting, 6)
    for r in voters:
        services.ballot_cast(vote=vote, registration=r, marks=_ranks(vote, [0]))
    ids = list(Ballot.objects.filter(vote=vote).values_list("id", flat=True))
    assert all(isinstance(i, uuid.UUID) and i.version == 4 for i in ids)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Ballot._meta.db_table])
        assert cursor.fetchone()[0] is None
        cursor.execute("SELECT column_default FROM information_schema.columns WHERE table_name = %s "
                       "AND column_name = 'id'", [Ballot._meta.db_table])
        assert cursor.fetchone()[0] is None  # no nextval(), no identity


def test_raw_dump_of_ballots_names_nobody(vote, meeting):
    voters = _participants(meeting, 8, municipal=2)
    receipts = [services.ballot_cast(vote=vote, registration=r, marks=_ranks(vote, [i % 4, (i + 2) % 4]))
                for i, r in enumerate(voters)]
    candidate_ids = {str(pk) for pk in vote.candidates.values_list("pk", flat=True)}

    with connection.cursor() as cursor:
        # Foreign keys out of the ballots table: only to the votes table.
        cursor.execute(
            """SELECT ccu.table_name FROM information_schema.table_constraints tc
               JOIN information_schema.constraint_column_usage ccu ON tc.constraint_name = ccu.constraint_name
               WHERE tc.table_name = %s AND tc.constraint_type = 'FOREIGN KEY'""", [Ballot._meta.db_table])
        assert {row[0] for row in cursor.fetchall()} == {Vote._meta.db_table}
        cursor.execute(f"SELECT * FROM {Ballot._meta.db_table}")  # noqa: S608 - fixed table name
        columns = [c.name for c in cursor.description]
        rows = cursor.fetchall()
        cursor.execute(f"SELECT * FROM {VoterRecord._meta.db_table}")  # noqa: S608
        records = cursor.fetchall()

    assert sorted(columns) == sorted(["id", "marks", "receipt_hash", "side", "voter_key", "vote_id"])
    assert len(rows) == len(records) == len(voters)
    people = {str(r.pk) for r in voters} | {str(r.attendee_id) for r in voters} | {r.attendee_email for r in voters}
    for row in rows:
        values = dict(zip(columns, row, strict=True))
        # The marks name candidate issues only; no other value is a person's id or address.
        assert set(values["marks"] if isinstance(values["marks"], dict) else {}) <= candidate_ids
        for name in ("id", "voter_key", "receipt_hash", "side", "vote_id"):
            assert str(values[name]) not in people, name
        text = repr(row)
        assert not any(email in text for email in (r.attendee_email for r in voters))
        assert not any(code in text or code.replace("-", "") in text for code in receipts)


def test_voter_key_needs_the_server_secret(vote, meeting, settings):
    (voter,) = _participants(meeting, 1)
    services.ballot_cast(vote=vote, registration=voter, marks=_ranks(vote, [1, 0]))
    stored = Ballot.objects.get(vote=vote).voter_key
    # The server, holding the secret, finds the voter's ballot (to let them replace it) …
    assert services._voter_key(vote, voter) == stored
    # … but keyed with another secret, or hashed without one, the registration gives another key.
    plain = f"{vote.pk}:{voter.pk}"
    assert stored not in {hashlib.sha256(plain.encode()).hexdigest(), hashlib.md5(plain.encode()).hexdigest(),  # noqa: S324
                          plain, str(voter.pk)}
    settings.SECRET_KEY = "another-secret-" + "x" * 50
    assert services._voter_key(vote, voter) != stored


def test_a_rotated_secret_never_lets_a_voter_count_twice(vote, meeting, settings):
    (voter,) = _participants(meeting, 1)
    services.ballot_cast(vote=vote, registration=voter, marks=_ranks(vote, [1, 0]))
    old_secret = settings.SECRET_KEY
    # Rotated with the old secret kept as a fallback: the ballot is found and replaced.
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "rotated-" + "y" * 50, [old_secret]
    services.ballot_cast(vote=vote, registration=voter, marks=_ranks(vote, [2]))
    ballot = Ballot.objects.get(vote=vote)
    assert ballot.marks == _ranks(vote, [2]) and ballot.voter_key == services._voter_key(vote, voter)
    # Rotated without a fallback: the change is refused, and still one ballot counts.
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "again-" + "z" * 50, []
    with pytest.raises(services.IssueError):
        services.ballot_cast(vote=vote, registration=voter, marks=_ranks(vote, [0]))
    assert Ballot.objects.filter(vote=vote).count() == 1 and Ballot.objects.get(vote=vote).marks == ballot.marks


def test_receipt_codes_are_stored_only_as_hashes(vote, meeting):
    (voter,) = _participants(meeting, 1)
    code = services.ballot_cast(vote=vote, registration=voter, marks=_ranks(vote, [2, 3]))
    ballot = Ballot.objects.get(vote=vote)
    assert ballot.receipt_hash != code
    assert code not in ballot.receipt_hash and code.replace("-", "") not in ballot.receipt_hash
    assert ballot.receipt_hash == hashlib.sha256(code.replace("-", "").encode()).hexdigest()
    # The voter checks with the code (in any case, with or without dashes).
    assert services.receipt_check(vote=vote, code=code.lower()) == ballot
    assert services.receipt_check(vote=vote, code=code.replace("-", "")) == ballot
    # A new ballot gets a new code; the old one no longer finds anything.
    newer = services.ballot_cast(vote=vote, registration=voter, marks=_ranks(vote, [0]))
    assert newer != code
    assert services.receipt_check(vote=vote, code=code) is None
    assert services.receipt_check(vote=vote, code=newer) == Ballot.objects.get(vote=vote)
