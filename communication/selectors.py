"""Reads of communication: news lists, a newsletter's reach and progress, mail status, and
the survey aggregates (groups under :data:`MIN_GROUP` suppressed)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from forum.models import Forum, OutboxMessage
from forum.notifications import Kind
from forum.selectors import mail_status

from . import audiences, delivery
from .models import Follower, FollowUp, Frequency, Newsletter, NewsletterRecipient, NewsPost, SurveyQuestion

#: The smallest group whose figures are shown (DESIGN: any group smaller than 5 is suppressed).
MIN_GROUP = 5


def _mean(value: float | None, places: int) -> float | None:
    """An average score rounded half up to ``places`` decimals, the same way wherever it is
    shown (the results page and the overview one decimal, the export two): Python's round()
    of a float gave 3.2 for 26 points over 8 answers (3.25) on the page beside 3.25 in the export."""
    if value is None:
        return None
    return float(Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


def published_news(forum: Forum, readable: set[str]) -> QuerySet[NewsPost]:
    """The forum's posts visible now to someone who may read ``readable`` audiences, newest first."""
    return NewsPost.objects.filter(forum=forum, audience__in=readable, publish_at__lte=timezone.now())


def all_news(forum: Forum) -> QuerySet[NewsPost]:
    """Every post of the forum, scheduled ones too (communicators' list)."""
    return NewsPost.objects.filter(forum=forum).select_related("created_by")


def newsletters(forum: Forum) -> QuerySet[Newsletter]:
    return Newsletter.objects.filter(forum=forum).select_related("created_by")


@dataclass(frozen=True)
class Reach:
    """How many distinct addresses the audiences reach, and what their choices make of it."""

    total: int
    immediately: int
    digest: int
    declined: int
    flagged: int


def reach(forum: Forum, keys: list[str]) -> Reach:
    """Resolve the audiences now and count (a preview; the send resolves again when it starts)."""
    people = audiences.resolve(forum, keys)
    decided = delivery.plan(Kind.NEWSLETTERS, people.items())
    return Reach(
        total=len(people), immediately=len(decided.addresses(Frequency.IMMEDIATELY)),
        digest=len(decided.addresses(Frequency.DAILY, Frequency.WEEKLY)),
        declined=len(decided.addresses(Frequency.NEVER)), flagged=len(decided.addresses("flagged")),
    )


def newsletter_status(newsletter: Newsletter) -> dict[str, Any]:
    """Progress of a send and the state of its mail: recipients by outcome, and the mailed
    ones by outbox status (queued, sent, failed, delivery unknown). Two queries."""
    outcomes = dict(newsletter.recipients.values_list("outcome").annotate(n=Count("pk")).values_list("outcome", "n"))
    mail = mail_status(OutboxMessage.objects.filter(pk__in=newsletter.recipients.exclude(message=None)
                                                    .values("message")))
    handled = sum(n for outcome, n in outcomes.items() if outcome != NewsletterRecipient.Outcome.PENDING)
    total = newsletter.recipient_count or sum(outcomes.values())
    return {
        "total": total,
        "handled": handled,
        # Rounded down: 199 of 200 is 99 %, not "100 %" with one recipient still waiting.
        "percent": 100 * handled // total if total else (100 if newsletter.status == Newsletter.Status.SENT
                                                          else 0),
        "outcomes": {o: outcomes.get(o, 0) for o in NewsletterRecipient.Outcome.values},
        "queued": mail["queued"], "sent": mail["sent"], "failed": mail["failed"], "unknown": mail["unknown"],
    }


def follower_count(forum: Forum) -> int:
    return Follower.objects.filter(forum=forum, network_id__isnull=True, confirmed_at__isnull=False).count()


# --- survey aggregates -----------------------------------------------------------------------------
def survey_results(follow_up: FollowUp) -> dict[str, Any]:
    """Per question: the number of answers and, for 5 or more, the mean and the distribution
    over 1–5; free-text answers only when 5 or more people answered at all. Three queries."""
    responses = follow_up.responses.count()
    questions = list(follow_up.questions.annotate(
        n=Count("answers", filter=Q(answers__score__isnull=False) | ~Q(answers__text="")),
        mean=Avg("answers__score"),
    ))
    distribution: dict[int, dict[int, int]] = {}
    for question_id, score, n in (SurveyQuestion.objects.filter(follow_up=follow_up, answers__score__isnull=False)
                                  .values_list("pk", "answers__score").annotate(n=Count("answers"))):
        distribution.setdefault(question_id, {})[score] = n
    texts: dict[int, list[str]] = {}
    if responses >= MIN_GROUP:
        for question_id, text in (SurveyQuestion.objects.filter(follow_up=follow_up, kind=SurveyQuestion.Kind.TEXT)
                                  .exclude(answers__text="").values_list("pk", "answers__text").order_by("?")):
            if text:
                texts.setdefault(question_id, []).append(text)
    rows = []
    for q in questions:
        shown = q.n >= MIN_GROUP
        rows.append({
            "question": q, "n": q.n, "suppressed": not shown,
            "mean": _mean(q.mean, 1) if shown else None,
            "distribution": [(s, distribution.get(q.pk, {}).get(s, 0)) for s in range(1, 6)] if shown else [],
            "texts": texts.get(q.pk, []) if shown else [],
        })
    invited = follow_up.invitations.count()
    answered = follow_up.invitations.filter(answered=True).count()
    return {"responses": responses, "invited": invited, "answered": answered, "rows": rows, "min_group": MIN_GROUP}


def survey_export_header() -> list[str]:
    """The column titles of :func:`survey_export_rows` (the survey page's CSV and the research
    exports), in the request's language."""
    return [_("Meeting"), _("Date"), _("Key"), _("Question"), _("Answers"), _("Average"),
            *[str(score) for score in range(1, 6)]]


def survey_export_rows(forum: Forum) -> list[list[Any]]:
    """One row per scale question of each published survey of the forum, oldest meeting first:
    meeting, date, question key and text, answers, mean and the count per score 1–5 – the
    figures left empty for fewer than 5 answers. No person, no free text. Two queries."""
    questions = (SurveyQuestion.objects.filter(follow_up__meeting__forum=forum, follow_up__published_at__isnull=False,
                                               kind=SurveyQuestion.Kind.SCALE)
                 .select_related("follow_up__meeting").annotate(n=Count("answers__score"), mean=Avg("answers__score"))
                 .order_by("follow_up__meeting__starts_at", "follow_up", "position"))
    counts: dict[tuple[int, int], int] = {}
    for question_id, score, n in (SurveyQuestion.objects.filter(follow_up__meeting__forum=forum,
                                                                answers__score__isnull=False)
                                  .values_list("pk", "answers__score").annotate(n=Count("answers"))):
        counts[(question_id, score)] = n
    rows = []
    for q in questions:
        shown = q.n >= MIN_GROUP
        meeting = q.follow_up.meeting
        rows.append([meeting.title, timezone.localtime(meeting.starts_at).date().isoformat(), q.key, q.text, q.n,
                     _mean(q.mean, 2) if shown and q.mean is not None else "",
                     *[(counts.get((q.pk, s), 0) if shown else "") for s in range(1, 6)]])
    return rows


def survey_over_time(forum: Forum) -> dict[str, Any]:
    """The standard scale questions' means per documented meeting, oldest first; a meeting
    with fewer than 5 answers to a question shows no figure for it. Two queries."""
    keys = ["trust", "usefulness", "satisfaction"]
    follow_ups = list(FollowUp.objects.filter(meeting__forum=forum, published_at__isnull=False)
                      .select_related("meeting").order_by("meeting__starts_at"))
    figures = {
        (fid, key): (n, mean)
        for fid, key, n, mean in SurveyQuestion.objects.filter(follow_up__in=follow_ups, key__in=keys)
        .values_list("follow_up", "key").annotate(n=Count("answers__score"), mean=Avg("answers__score"))
        .values_list("follow_up", "key", "n", "mean")
    }
    rows = []
    for follow_up in follow_ups:
        cells = []
        for key in keys:
            n, mean = figures.get((follow_up.pk, key), (0, None))
            cells.append({"n": n, "mean": _mean(mean, 1) if n >= MIN_GROUP else None})
        rows.append({"follow_up": follow_up, "cells": cells})
    return {"keys": keys, "rows": rows, "min_group": MIN_GROUP}
