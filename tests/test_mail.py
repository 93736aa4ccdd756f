"""Every mail the portal sends, rendered from the demo data in Swedish and in English (issue 10):
no empty placeholder, a subject that names its meeting and date or its issue, From naming the
forum and the city, a Reply-To that reaches a person, one main button whose address is in the
text part too, the same words and links in the text and HTML parts, and no sideways scrolling
on a 375 px phone. Also the demo's deadlines and the calendar file of a demo registration;
tests/test_mail_rules.py has the rules that need no demo, tests/test_mail_delivery.py the mail
as it reaches the SMTP sink.

The demo (``seed_demo``) is built once for the module inside a transaction rolled back after
its last test; the mails are rendered once from it, in both languages, with the city's name
set. Swedish words of new messages are in i18n-pending/mail.po until the catalogue is merged,
so assertions about wording are made on the English mails, and on language-independent facts
for both.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from email.utils import parseaddr
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.text import Truncator
from icalendar import Calendar

from events import services as event_services
from events.calendar import meeting_ics
from events.models import Meeting, Registration
from forum import mail
from forum.models import AccessibilityReport, Forum, OutboxMessage
from issues import services as issue_services
from tests.factories import make_user

ROOT = Path(__file__).resolve().parent.parent
CITY = "Malmö stad"
COORDINATOR = "samordnare@forum.example"  # the demo forum's coordinator
LANGUAGES = ("sv", "en")
GAPS = ("från !", "from !", " på .", " on .", "()", "None", "{{", "{%", "%(", "[]")
URL_RE = re.compile(r"https?://[^\s<>\"']+")


@dataclass
class Mail:
    """One rendered mail and what it must show."""

    name: str  # template, plus the variant
    language: str
    subject: str
    text: str
    html: str
    headers: dict
    names: list[str] = field(default_factory=list)  # what the subject must name
    reply_to: list[str] = field(default_factory=list)
    forum: str = ""  # the forum the sender names ("" for mail about no forum)
    button: bool = True  # has a main action

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class _Html(HTMLParser):
    """The visible text of a mail's HTML, its links and its buttons."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.hrefs: list[str] = []
        self.buttons: list[str] = []
        self._hidden = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("head", "title", "style"):
            self._hidden += 1
        if tag == "a":
            self.hrefs.append(attrs.get("href", ""))
            if "inline-block" in (attrs.get("style") or ""):
                self.buttons.append(attrs.get("href", ""))
        self.parts.append(" ")

    def handle_endtag(self, tag):
        if tag in ("head", "title", "style"):
            self._hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", URL_RE.sub(" ", text).lower()))


def _urls(text: str) -> set[str]:
    return {url.rstrip(".,;:!?)") for url in URL_RE.findall(text)}


def _day(moment: dt.datetime, language: str) -> str:
    with translation.override(language):
        return formats.date_format(timezone.localtime(moment), "l j F")


# --- The demo, once for the module -------------------------------------------------------------
def _event_mails(forum: Forum, language: str) -> list[Mail]:
    spring = forum.meetings.get(status=Meeting.Status.REGISTRATION_OPEN)
    rows = spring.registrations.select_related("organisation", "meeting__forum", "attendee")
    company_invited = rows.filter(status=Registration.Status.INVITED, organisation__kind="company").first()
    department_invited = rows.filter(status=Registration.Status.INVITED, organisation__kind="department").first()
    confirmed = rows.filter(status=Registration.Status.CONFIRMED).first()
    waiting = rows.filter(status=Registration.Status.WAITING).order_by("-waiting_since").first()
    offered = rows.get(status=Registration.Status.OFFERED)
    expired_offer = rows.filter(status=Registration.Status.OFFER_EXPIRED).first()
    cancelled = rows.filter(status=Registration.Status.CANCELLED).first()
    previous = {"starts_at": spring.starts_at - dt.timedelta(days=7), "ends_at": spring.ends_at - dt.timedelta(days=7),
                "venue_name": "Stadshuset", "venue_address": "August Palms plats 1, 205 80 Malmö"}
    cases = [
        ("events/invitation", "company", company_invited, {}),
        ("events/invitation", "department", department_invited, {}),
        ("events/confirmation", "", confirmed, {}),
        ("events/waiting", "", waiting, {"position": event_services.waiting_position(waiting)}),
        ("events/offer", "", offered, {}),
        ("events/offer_expired", "", expired_offer, {}),
        ("events/cancelled", "seat", cancelled, {"previous_status": "confirmed"}),
        ("events/cancelled", "waiting", cancelled, {"previous_status": "waiting"}),
        ("events/cancelled", "invitation", cancelled, {"previous_status": "invited"}),
        ("events/reminder", "tomorrow", confirmed, {"days_left": 1}),
        ("events/reminder", "week", confirmed, {"days_left": 7}),
        # A new time or venue (events.services.meeting_update), to each kind of registration it concerns.
        ("events/changed", "time, seat", confirmed, {"changed": ["time"], "previous": previous}),
        ("events/changed", "venue, waiting", waiting, {"changed": ["venue"], "previous": previous}),
        ("events/changed", "both, invitation", company_invited, {"changed": ["time", "venue"], "previous": previous}),
        ("events/changed", "both, offer", offered, {"changed": ["time", "venue"], "previous": previous}),
    ]
    mails = []
    for template, variant, registration, extra in cases:
        assert registration is not None, f"the demo has no registration for {template} {variant}"
        rendered = mail.render(f"email/{template}", event_services.mail_context(registration, **extra),
                               language=language, forum=forum)
        mails.append(Mail(
            name=f"{template} {variant}".strip(), language=language, subject=rendered.subject, text=rendered.text,
            html=rendered.html, headers=rendered.headers, reply_to=[COORDINATOR], forum=forum.name,
            names=[spring.title, _day(spring.starts_at, language)], button=template != "events/cancelled",
        ))
    return mails


def _issue_mails(forum: Forum, language: str) -> list[Mail]:
    mails = []
    for status in ("new", "quick_fix", "candidate", "network", "resolved", "out_of_scope"):
        issue = forum.issues.filter(status=status).first() or forum.issues.filter(status="new").first()
        issue.status = status  # "new" again: a status a coordinator can set back
        rendered = mail.render("email/issues/status_changed", issue_services.mail_context(issue),
                               language=language, forum=forum)
        mails.append(Mail(
            name=f"issues/status_changed {status}", language=language, subject=rendered.subject,
            text=rendered.text, html=rendered.html, headers=rendered.headers,
            names=[Truncator(issue.text).chars(60)], reply_to=[COORDINATOR], forum=forum.name,
        ))
    return mails


# Mail that asks nothing of its reader: no main button.
NO_BUTTON = ("networks/invitation_closed", "networks/membership_ended")


def _network_mails(forum: Forum, language: str) -> list[Mail]:
    """Every network mail, from the demo networks (networks/demo.py)."""
    from networks.models import Membership, NetworkIssue, NetworkMeeting, ProgressUpdate
    from networks.services.common import network_context, profile_url

    link = NetworkIssue.objects.filter(network__forum=forum, resolved_at__isnull=False).select_related(
        "network", "issue").first()
    network, issue = link.network, link.issue
    leader = network.memberships.filter(role=Membership.Role.PROCESS_LEADER).first()
    member = network.memberships.filter(role=Membership.Role.MEMBER).first()
    meeting = NetworkMeeting.objects.filter(network=network).first()
    update = ProgressUpdate.objects.filter(network=network).first()
    issue_context = {**issue_services.mail_context(issue), **network_context(network)}
    issue_names = [Truncator(issue.text).chars(60)]
    meeting_context = {**network_context(network), "membership": member, "meeting": meeting,
                       "meeting_url": mail.site_url() + meeting.get_absolute_url()}
    meeting_names = [meeting.title, _day(meeting.starts_at, language)]
    cases = [
        ("networks/issue_taken_up", issue_context, issue_names + [network.title]),
        ("networks/issue_outcome", {**issue_context, "outcome": link.outcome}, issue_names),
        ("networks/invitation", {**network_context(network), "membership": member,
                                 "invitation_url": mail.site_url() + f"/natverk/inbjudan/{member.token}/"},
         [network.title]),
        ("networks/join_request", {**network_context(network), "membership": leader, "request": member,
                                   "members_url": mail.site_url() + f"/natverk/{network.pk}/medlemmar/"},
         [member.name, network.title]),
        ("networks/request_approved", {**network_context(network), "membership": member}, [network.title]),
        ("networks/request_declined", {**network_context(network), "membership": member}, [network.title]),
        ("networks/request_closed", {**network_context(network), "membership": member}, [network.title]),
        ("networks/invitation_closed", {**network_context(network), "membership": member}, [network.title]),
        ("networks/membership_ended", {**network_context(network), "membership": member,
                                       "ended_by": leader.name}, [network.title]),
        ("networks/meeting_invitation", meeting_context, meeting_names),
        ("networks/meeting_reminder", {**meeting_context, "days_left": 7}, meeting_names),
        ("networks/meeting_cancelled", meeting_context, meeting_names),
        ("networks/progress_update", {**network_context(network), "update": update, "profile_url": profile_url()},
         [network.title, update.title]),
    ]
    mails = []
    for template, context, names in cases:
        rendered = mail.render(f"email/{template}", context, language=language, forum=forum)
        mails.append(Mail(name=template, language=language, subject=rendered.subject, text=rendered.text,
                          html=rendered.html, headers=rendered.headers, names=names, reply_to=[COORDINATOR],
                          forum=forum.name, button=template not in NO_BUTTON))
    return mails


def _accessibility_mails(language: str) -> list[Mail]:
    report = AccessibilityReport.objects.create(
        description="Knappen ”Anmäl” syns inte\nnär sidan är förstorad 200 %.", page_url="/tematraff/1/",
        email="rapportor@forum.example")
    mails = []
    for template, context, reply_to in (
        ("accessibility_report", {"report": report}, [report.email]),
        ("accessibility_receipt", {"report": report, "quote_description": True,
                                   "contact_email": settings.FORUM_ACCESSIBILITY_EMAIL},
         [settings.FORUM_ACCESSIBILITY_EMAIL]),
    ):
        rendered = mail.render(f"email/{template}", context, language=language, reply_to=reply_to)
        mails.append(Mail(
            name=template, language=language, subject=rendered.subject, text=rendered.text, html=rendered.html,
            headers=rendered.headers, names=[report.page_url] if template == "accessibility_report" else [],
            reply_to=reply_to, button=False,
        ))
    return mails


def _communication_mails(forum: Forum, language: str) -> list[Mail]:
    """News, a newsletter and a digest as people who follow them get them (with the unsubscribe
    link), and the follow confirmation and the meeting follow-up with its survey reminder."""
    from communication import delivery
    from communication import services as comms
    from communication.models import DigestItem, Follower, FollowUp, Newsletter, NewsPost

    post = NewsPost.objects.filter(forum=forum, audience="public").order_by("publish_at").first()
    newsletter = Newsletter.objects.get(forum=forum, status=Newsletter.Status.SENT)
    items = list(DigestItem.objects.filter(forum=forum))
    follow_up = FollowUp.objects.select_related("meeting").get(meeting__forum=forum, published_at__isnull=False)
    meeting = follow_up.meeting
    follower = Follower.objects.filter(forum=forum).first()
    site = mail.site_url()
    survey = {"meeting": meeting, "follow_up": follow_up, "issues": comms._meeting_issues(meeting),
              "survey_url": f"{site}/enkat/abc/", "documentation_url": f"{site}/tematraff/{meeting.pk}/dokumentation/"}
    followed = [
        ("communication/news", "news", {"post": post, "url": site + post.get_absolute_url(), "excerpt": "Text."},
         [post.title], True),
        ("communication/newsletter", "newsletters", comms.newsletter_context(newsletter, language), [], False),
        ("communication/digest", "news", {"groups": comms.group_items(items, {forum.pk: forum}), "frequency": "weekly",
                                          "count": len(items)}, [], False),
    ]
    mails = []
    for template, kind, context, names, button in followed:
        renderer = delivery.Renderer(template=template, context=context, forum=forum, kinds=[kind])
        rendered = renderer.rendered(language)
        link = delivery.unsubscribe_url("lasare@forum.example", [kind])
        choose = delivery.preferences_url("lasare@forum.example", [kind])
        mails.append(Mail(name=template, language=language, subject=rendered.subject,
                          text=delivery.personal(rendered.text, link, choose),
                          html=delivery.personal(rendered.html, link, choose), headers=rendered.headers,
                          names=names, reply_to=[COORDINATOR], forum=forum.name, button=button))
    transactional = [
        ("communication/follow_confirm", {"forum": forum, "network_title": "",
                                          "confirm_url": f"{site}/folj/{follower.token}/"}, [forum.name]),
        ("communication/follow_up", survey, [meeting.title, _day(meeting.starts_at, language)]),
        ("communication/survey_reminder", survey, [meeting.title, _day(meeting.starts_at, language)]),
    ]
    for template, context, names in transactional:
        rendered = mail.render(f"email/{template}", context, language=language, forum=forum)
        mails.append(Mail(name=template, language=language, subject=rendered.subject, text=rendered.text,
                          html=rendered.html, headers=rendered.headers, names=names, reply_to=[COORDINATOR],
                          forum=forum.name))
    return mails


def _account_mails(language: str) -> list[Mail]:
    """allauth's mails as the pages send them, in ``language``: sign-up verification, an
    account that already exists, a password reset, an unknown account, a log-in code and the
    verification asked for when an unconfirmed address logs in."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    # A known address per language: allauth sends one "already exists" mail per address in 3 minutes.
    known = {"sv": "foretag@forum.example", "en": "kommunikator@forum.example"}[language]
    new, unverified = f"ny.{language}@forum.example", f"obekraftad.{language}@forum.example"
    password = "Sommar-i-Malmö-2026"
    first_mail = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def fresh() -> None:
        client.logout()
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language

    signup = {"first_name": "Ida", "last_name": "Exempel", "password1": password, "password2": password}
    client.post(reverse("account_signup"), {**signup, "email": new})
    fresh()
    client.post(reverse("account_signup"), {**signup, "email": known})
    fresh()
    client.post(reverse("account_reset_password"), {"email": known})
    fresh()
    client.post(reverse("account_reset_password"), {"email": f"okand.{language}@forum.example"})
    fresh()
    client.post(reverse("account_request_login_code"), {"email": known})
    fresh()
    make_user(unverified, password, first_name="Olle")
    client.post(reverse("account_login"), {"login": unverified, "password": password})
    rows = OutboxMessage.objects.filter(pk__gt=first_mail, template__startswith="account/email/").order_by("pk")
    return [Mail(
        name=row.template, language=language, subject=row.subject, text=row.body_text, html=row.body_html,
        headers=row.headers, reply_to=[settings.FORUM_CONTACT_EMAIL], button=not row.template.endswith("login_code"),
    ) for row in rows]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, browser):
    """The demo data, and every mail rendered from it in both languages (the city's name set).

    Chromium is started first: starting Playwright's sync API switches the context Django keeps
    its database connection in, so a browser started after this transaction had begun would
    leave the tests after it on another connection, without the demo (and its rows locked)."""
    with django_db_blocker.unblock(), transaction.atomic(), override_settings(FORUM_CITY_NAME=CITY):
        call_command("seed_demo", stdout=io.StringIO())
        forum = Forum.objects.get(slug="meet-malmo")
        mails = []
        for language in LANGUAGES:
            mails += _event_mails(forum, language)
            mails += _issue_mails(forum, language)
            mails += _network_mails(forum, language)
            mails += _accessibility_mails(language)
            mails += _communication_mails(forum, language)
            mails += _account_mails(language)
        yield {"forum": forum, "mails": mails}
        transaction.set_rollback(True)


@pytest.fixture
def mails(demo, db) -> list[Mail]:
    return demo["mails"]


# --- What every mail must be -----------------------------------------------------------------
def test_every_mail_template_is_rendered_in_both_languages(mails):
    templates = {str(p.relative_to(ROOT / "templates" / "email")).removesuffix("_subject.txt")
                 for p in (ROOT / "templates" / "email").rglob("*_subject.txt")}
    templates |= {f"account/email/{p.name.removesuffix('_subject.txt')}"
                  for p in (ROOT / "templates" / "account" / "email").glob("*_subject.txt")}
    for language in LANGUAGES:
        rendered = {m.name.split(" ")[0] for m in mails if m.language == language}
        assert rendered == templates, f"{language}: not rendered {templates - rendered}, unknown {rendered - templates}"


def test_no_empty_placeholders(mails):
    for m in mails:
        for part in (m.subject, m.text, m.html):
            found = [gap for gap in GAPS if gap in part]
            assert not found, f"{m}: {found} in\n{part}"


def test_subject_names_the_meeting_and_its_date_or_the_issue(mails):
    for m in mails:
        for name in m.names:
            assert name in m.subject, f"{m}: {name!r} not in {m.subject!r}"
    # Account mails: the portal's own subjects, after the prefix and its space.
    for m in mails:
        if m.name.startswith("account/"):
            prefix = "[Forumportalen] " if m.language == "sv" else "[Forum portal] "
            assert m.subject.startswith(prefix) and len(m.subject) > len(prefix) + 5, m.subject


def test_from_names_the_forum_and_the_city_and_reply_to_reaches_a_person(mails):
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    for m in mails:
        name, sender = parseaddr(m.headers["From"])
        assert sender == address, f"{m}: {m.headers['From']}"
        assert name == f"{m.forum or ('Forumportalen' if m.language == 'sv' else 'Forum portal')}, {CITY}", \
            f"{m}: {m.headers['From']}"
        assert mail.addresses_of(m.headers["Reply-To"]) == m.reply_to, f"{m}: {m.headers['Reply-To']}"


def test_one_main_button_whose_address_is_in_the_text_part(mails):
    for m in mails:
        html = _Html(m.html)
        assert len(html.buttons) == (1 if m.button else 0), f"{m}: buttons {html.buttons}"
        for url in html.buttons:
            assert url.startswith("http") and url in m.text, f"{m}: {url} not in the text part"


def test_text_and_html_parts_carry_the_same_words_and_links(mails):
    for m in mails:
        html = _Html(m.html)
        text_words, html_words = _words(m.text), _words(html.text)
        assert text_words == html_words, (
            f"{m}: only in text {text_words - html_words}, only in HTML {html_words - text_words}")
        links = {url for url in html.hrefs if url.startswith("http")} | _urls(html.text)
        assert _urls(m.text) == links, f"{m}: text {_urls(m.text)} HTML {links}"
        # Both parts end with the footer: the forum (or portal), the city, a contact.
        for part in (m.text.split("\n-- \n")[-1], html.text):
            assert CITY in part and settings.FORUM_CONTACT_EMAIL in part, f"{m}: footer"


def test_what_the_mails_say_in_english(mails, demo):
    english = {m.name: m for m in mails if m.language == "en"}
    forum = demo["forum"]
    company, department = english["events/invitation company"], english["events/invitation department"]
    assert "one seat" in company.text and "someone else from" in company.text
    # A department's participant is not told about a company's seat.
    assert "company" not in department.text.lower() and "one seat" not in department.text
    assert "You take part for" in department.text
    for invitation in (company, department):
        assert re.search(r"Answer by \w+ \d+ \w+\.", invitation.text), invitation.text  # the end of a day: no time
    assert re.search(r"You are number \d+ on the waiting list\.", english["events/waiting"].text)
    assert re.search(r"Accept the seat by \w+ \d+ \w+ at \d\d:00\.", english["events/offer"].text)
    for variant in ("seat", "waiting", "invitation"):
        body = english[f"events/cancelled {variant}"].text.split("\n-- \n")[0]
        assert settings.FORUM_CONTACT_EMAIL in body and "coordinators" in body
    # An expired offer points to the coming meetings: the forum's page, which lists them.
    expired = english["events/offer_expired"]
    forum_url = mail.site_url() + forum.get_absolute_url()
    assert _Html(expired.html).buttons == [forum_url]
    coming = forum.meetings.filter(starts_at__gt=timezone.now()).exclude(status=Meeting.Status.DRAFT)
    page = Client().get(forum.get_absolute_url()).content.decode()
    assert coming.exists() and all(meeting.title in page for meeting in coming)
    # A new time or venue says what it is now, what it was, and what the reader's registration is now.
    moved = english["events/changed time, seat"]
    assert moved.subject.startswith("New time: ") and "The theme meeting has a new time." in moved.text
    assert re.search(r"Before the change: \w+ \d+ \w+ \d{4}, \d\d:\d\d–\d\d:\d\d\.", moved.text), moved.text
    assert "Your seat is kept." in moved.text and "Venue before" not in moved.text
    venue = english["events/changed venue, waiting"]
    assert venue.subject.startswith("New venue: ")
    assert "Venue before the change: Stadshuset, August Palms plats 1, 205 80 Malmö." in venue.text
    assert "still on the waiting list" in venue.text and "Before the change:" not in venue.text
    both = english["events/changed both, invitation"]
    assert both.subject.startswith("New time and venue: ") and "Your invitation still applies." in both.text
    assert "The offer of a seat still applies." in english["events/changed both, offer"].text
    status = english["issues/status_changed resolved"]
    assert "has a new status: Resolved." in status.text and "New status for your issue “" in status.subject
    assert "Hello from" not in english["account/email/email_confirmation_signup"].text


def test_demo_mail_stored_its_sender_and_reply_to(demo, db):
    """The rows seed_demo queued (through the services) carry From and Reply-To."""
    rows = OutboxMessage.objects.filter(forum=demo["forum"])
    assert rows.count() > 100
    for row in rows:
        assert parseaddr(row.headers["From"])[0].startswith("11:11 – Meet Malmö, "), row.headers
        assert mail.addresses_of(row.headers["Reply-To"]) == [COORDINATOR], row.headers


# --- Deadlines ---------------------------------------------------------------------------------
def test_deadlines_in_the_demo_fall_on_the_end_of_a_day_or_a_whole_hour(demo, db):
    rows = Registration.objects.filter(meeting__forum=demo["forum"]).select_related("meeting")
    invitations = [r for r in rows if r.expires_at]
    offers = [r for r in rows if r.offer_expires_at]
    assert invitations and offers
    for r in invitations:
        local = timezone.localtime(r.expires_at)
        # The start itself only when the invitation was sent after the whole hour before it
        # (the demo approves some nominations for last year's meetings on today's clock).
        assert (local.hour, local.minute, local.second) == (23, 59, 59) or local.minute == local.second == 0 \
            or r.expires_at == r.meeting.starts_at, local
        assert r.expires_at <= r.meeting.starts_at
    for r in offers:
        local = timezone.localtime(r.offer_expires_at)
        on_the_hour = local.minute == local.second == local.microsecond == 0
        assert on_the_hour or r.offer_expires_at == r.meeting.starts_at, local
        assert r.offer_expires_at <= r.meeting.starts_at


# --- The calendar file -------------------------------------------------------------------------
def _event(ics: bytes):
    [event] = Calendar.from_ical(ics).walk("VEVENT")
    return event


def test_calendar_file_of_a_registration_and_of_a_meeting(demo, db, settings):
    settings.FORUM_SITE_URL = "https://forum.malmo.example"
    registration = Registration.objects.filter(meeting__forum=demo["forum"], status=Registration.Status.CONFIRMED,
                                               meeting__status=Meeting.Status.REGISTRATION_OPEN).first()
    meeting = registration.meeting
    meeting.agenda = "11.11 Välkommen\n11.30 Samtal vid borden\n13.45 Vad tar vi med oss?"
    meeting.save(update_fields=["agenda"])
    page = f"https://forum.malmo.example{meeting.get_absolute_url()}"
    with translation.override("en"):
        event = _event(meeting_ics(meeting, registration))
    assert str(event["url"]) == page
    assert str(event["uid"]) == f"meeting-{meeting.pk}-{registration.pk}@forum.malmo.example"
    description = str(event["description"])
    assert meeting.agenda in description and registration.code in description and page in description
    assert registration.display_attendee in description and registration.organisation.name in description
    assert str(event["organizer"]) == f"mailto:{settings.FORUM_CONTACT_EMAIL}"
    assert event["organizer"].params["CN"] == demo["forum"].name
    assert "Studio Malmö" in str(event["location"])

    # The meeting's own file (the public download): no one's code, the same page and organiser.
    response = Client().get(reverse("events:meeting_calendar", args=[meeting.pk]))
    assert response.status_code == 200
    public = _event(response.content)
    assert str(public["uid"]) == f"meeting-{meeting.pk}@forum.malmo.example" and str(public["url"]) == page
    assert meeting.agenda in str(public["description"]) and registration.code not in str(public["description"])
    assert public["organizer"].params["CN"] == demo["forum"].name


# --- On a phone ----------------------------------------------------------------------------------
def test_every_mail_fits_a_phone_without_sideways_scrolling(demo, browser):
    """Each mail's HTML opened in Chromium at 375 px (set_content: not served by the portal, so
    its Content-Security-Policy does not apply). Uses the mails already rendered, not the database."""
    mails = demo["mails"]
    page = browser.new_page(viewport={"width": 375, "height": 800})
    try:
        for m in mails:
            page.set_content(m.html)
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 375, f"{m}: {width} px wide"
    finally:
        page.close()
