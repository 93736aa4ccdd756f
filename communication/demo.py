"""Demo data of communication (called at the end of seed_demo): published, participants' and
scheduled news, a sent newsletter, followers, people with each mail choice and a waiting
digest item, and the first held meeting's documentation sent (which makes it documented) with
anonymous survey answers, and a draft of the second's.

Finds the demo forum and people by slug and address. Idempotent: run again, it adds nothing.
The mail it queues goes to invented addresses, so it is recorded as sent, as seed_demo does.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from events.models import Meeting
from forum import mail
from forum.models import Forum, OutboxMessage
from forum.notifications import Kind

from . import services
from .models import DigestItem, Follower, FollowUp, Frequency, MailPreference, NewsPost

FORUM_SLUG = "meet-malmo"
FIRST_NEWS = "Välkommen till 11:11 – Meet Malmö"

# (title, when, days from then, audience, body). "when": the start-up year's first or third
# meeting (the news of a year that is over), or "now" (what is going on).
NEWS = [
    (FIRST_NEWS, "first", -45, "public",
     "Staden och näringslivet möts nu i **11:11 – Meet Malmö**. Under året håller vi tre tematräffar.\n\n"
     "## Så går det till\n\n- Vi tar upp frågor tillsammans\n- Deltagarna prioriterar\n- Nätverk driver "
     "frågorna vidare\n\nLäs mer på [malmo.se](https://malmo.se)."),
    ("Prioriteringslistan är beslutad", "third", 2, "public",
     "Deltagarna på tredje träffen har röstat fram vilka frågor som går först. Listan finns på forumets sida."),
    ("Till deltagarna: tack för i år", "third", 10, "participants",
     "Tack för att du deltog på träffarna i år. Dokumentationen och en kort enkät kommer per e-post."),
    ("Internt: förslag på teman till vårträffen", "now", -2, "staff",
     "Förvaltningarna lämnar förslag på teman till stadskontoret senast i slutet av månaden."),
    ("Vårträffen öppnar för anmälan", "now", 10, "public",
     "Anmälan till vårträffen öppnar snart. Följ forumet för att få veta när."),
]

FOLLOWERS = [("anna.foljare@forum.example", True), ("bo.foljare@forum.example", True),
             ("cecilia.foljare@forum.example", True), ("david.obekraftad@forum.example", False)]

# One demo person per choice, so the preferences page shows each.
CHOICES = {
    "foretag@forum.example": {Kind.NEWS: Frequency.DAILY, Kind.NEWSLETTERS: Frequency.IMMEDIATELY},
    "tjansteperson@forum.example": {Kind.NEWS: Frequency.WEEKLY, Kind.ISSUE_UPDATES: Frequency.IMMEDIATELY},
    "processledare@forum.example": {Kind.NEWSLETTERS: Frequency.NEVER},
    "forskare@forum.example": {Kind.NETWORK_UPDATES: Frequency.DAILY},
}

SURVEY_SCORES = [(4, 5, 4), (3, 4, 4), (5, 5, 5), (2, 3, 3), (4, 4, 5), (3, 4, 4), (4, 5, 4)]
SURVEY_COMMENTS = ["Mer tid för samtal i små grupper.", "Bra blandning av staden och företag.", "",
                   "Skicka underlaget en vecka innan.", "", "Fler företag från ytterområdena.", ""]


def seed(*, stdout: Any = None) -> None:
    forum = Forum.objects.filter(slug=FORUM_SLUG).first()
    if forum is None or NewsPost.objects.filter(forum=forum, title=FIRST_NEWS).exists():
        return
    communicator = User.objects.get(email="kommunikator@forum.example")
    coordinator = User.objects.get(email="samordnare@forum.example")
    now = timezone.now()
    first_mail = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    # The news of the start-up year is dated by its meetings, so that it agrees with them.
    startup = list(forum.meetings.filter(starts_at__lt=now).order_by("starts_at").values_list("starts_at", flat=True))
    anchors = {"now": now, "first": startup[0] if startup else now, "third": startup[2] if len(startup) > 2 else now}
    with transaction.atomic():
        for title, when, days, audience, body in NEWS:
            publish_at = (anchors[when] + dt.timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
            services.news_save(actor=communicator, forum=forum, title=title, body=body, audience=audience,
                               publish_at=publish_at, send_mail=True)
        # The posts already out were emailed at the time; the scheduled one waits.
        NewsPost.objects.filter(forum=forum, publish_at__lte=now).update(mailed_at=now)
        for email, confirmed in FOLLOWERS:
            follower = services.follow_request(actor=None, forum=forum, email=email, language="sv")
            if confirmed:
                services.follow_confirm(follower=follower)
        for email, choices in CHOICES.items():
            services.preferences_set(actor=None, email=email, choices=choices)
        _newsletter(forum, communicator, now)
        _follow_up(forum, coordinator)
        # Someone who chose a weekly digest has a news item waiting for Monday.
        if not DigestItem.objects.filter(email="tjansteperson@forum.example").exists():
            post = NewsPost.objects.get(forum=forum, title="Prioriteringslistan är beslutad")
            DigestItem.objects.create(email="tjansteperson@forum.example", language="sv", kind=Kind.NEWS,
                                      frequency=Frequency.WEEKLY, forum=forum, headline=post.title,
                                      url=mail.site_url() + post.get_absolute_url())
        OutboxMessage.objects.filter(pk__gt=first_mail, status=OutboxMessage.Status.QUEUED).update(
            status=OutboxMessage.Status.SENT, sent_at=now)
    if stdout is not None:
        stdout.write(f"Communication: {NewsPost.objects.filter(forum=forum).count()} news posts, "
                     f"{Follower.objects.filter(forum=forum).count()} followers, "
                     f"{MailPreference.objects.count()} mail choices, a sent newsletter and a documented meeting.\n")


def _newsletter(forum: Forum, communicator: User, now: dt.datetime) -> None:
    newsletter = services.newsletter_save(
        actor=communicator, forum=forum, subject_sv="Nyhetsbrev: året i 11:11 – Meet Malmö",
        body_sv="Tre tematräffar, **många frågor** och en prioriteringslista.\n\n"
                "- Vårens träffar samlade företag och förvaltningar\n- Nätverken bildas i höst\n",
        subject_en="Newsletter: the year in 11:11 – Meet Malmö",
        body_en="Three theme meetings, **many issues** and a priority list.\n",
        audiences=["staff", "followers", "partners"],
    )
    services.newsletter_schedule(actor=communicator, newsletter=newsletter)
    services.newsletter_start(newsletter.pk, now=now + dt.timedelta(seconds=1))
    while services.newsletter_send_batch(newsletter.pk):
        pass
    services.newsletter_save(actor=communicator, forum=forum, subject_sv="Utkast: inbjudan till höstens träff",
                             body_sv="Text kommer.", audiences=["followers"])


def _follow_up(forum: Forum, coordinator: User) -> None:
    # The start-up year's meetings, held: sending meeting 1's documentation makes it documented;
    # meeting 2 has a draft, and both 2 and 3 wait for theirs on the coordinators' to-do page.
    meetings = list(Meeting.objects.filter(forum=forum, status__in=[Meeting.Status.HELD, Meeting.Status.DOCUMENTED])
                    .order_by("starts_at")[:3])
    if not meetings or FollowUp.objects.filter(meeting=meetings[0]).exists():
        return
    follow_up = services.follow_up_save(
        actor=coordinator, meeting=meetings[0],
        summary="Vi samlades för att fråga **vad staden kan göra för företagens utveckling**.\n\n"
                "Frågorna som togs upp finns nedan med vad som har hänt med dem.",
        links="Presentation | https://malmo.se/meet-malmo/presentation.pdf\n"
              "Foton från träffen | https://malmo.se/meet-malmo/foton")
    services.follow_up_publish(actor=coordinator, follow_up=follow_up)
    invitations = list(follow_up.invitations.order_by("pk"))
    questions = {q.key: q for q in follow_up.questions.all()}
    for invitation, scores, comment in zip(invitations, SURVEY_SCORES, SURVEY_COMMENTS, strict=False):
        answers = {questions["trust"].pk: scores[0], questions["usefulness"].pk: scores[1],
                   questions["satisfaction"].pk: scores[2], questions["comment"].pk: comment}
        services.survey_answer(invitation=invitation, answers=answers)
    if len(meetings) > 1 and not FollowUp.objects.filter(meeting=meetings[1]).exists():
        services.follow_up_save(actor=coordinator, meeting=meetings[1],
                                summary="Utkast: sammanfattning av den andra träffen.", links="")
