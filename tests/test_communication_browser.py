"""Communication in Chromium against the live server, with the real worker and SMTP sink: a
communicator composes a newsletter, previews it, sends a test to themselves and sends it; it
reaches a follower at the sink with a one-click unsubscribe link that works without logging
in. axe-core finds no WCAG 2.1 A/AA violation on the news, newsletter, preferences and
survey pages. Buttons are found by role and English or Swedish name, so the flow holds
whatever the state of the merged catalogue."""
from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from communication import services
from communication.models import Frequency, Newsletter
from events.models import Meeting
from forum.models import Role
from forum.notifications import Kind
from tests.factories import company_with_rep, log_in_in_browser, make_meeting, make_registration, make_role_holder

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def name(sv: str, en: str) -> re.Pattern:
    return re.compile(rf"{re.escape(sv)}|{re.escape(en)}", re.IGNORECASE)


@pytest.fixture
def communicator(forum):
    return make_role_holder(forum, Role.COMMUNICATOR, "kommunikator@example.se", verified_email=True,
                            first_name="Mira", last_name="Lindqvist")


def test_compose_preview_send_and_unsubscribe(live_server, page, mailbox, axe, forum, communicator):
    follower = services.follow_request(actor=None, forum=forum, email="lasare@example.se", language="sv")
    services.follow_confirm(follower=follower)
    log_in_in_browser(page, live_server, communicator)
    page.goto(live_server.url + reverse("communication:newsletter_create", args=[forum.slug]))
    axe(page)
    page.locator("#id_subject_sv").fill("Nyhetsbrev från webbläsaren")
    page.locator("#id_body_sv").fill("Hej! Det här är **viktigt**.\n\n- en punkt\n- en till")
    page.locator("input[name=audiences][value=followers]").check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/nyhetsbrev/\d+/$"))
    newsletter = Newsletter.objects.get()
    # The preview shows the rendered Markdown, and how many it reaches.
    assert page.locator("main strong", has_text="viktigt").count() == 1
    assert page.locator("#reach").inner_text().strip()
    axe(page)
    page.get_by_role("button", name=name("Skicka ett test", "Send a test")).click()
    [test] = mailbox.wait_for(lambda m: "kommunikator@example.se" in m["To"])
    assert "Nyhetsbrev från webbläsaren" in test["Subject"]
    page.get_by_role("button", name=name("Skicka nyhetsbrevet", "Send the newsletter")).click()
    [letter] = mailbox.wait_for(lambda m: "lasare@example.se" in m["To"] and "webbläsaren" in str(m["Subject"]),
                                timeout=60)
    assert str(letter["Subject"]).strip() == "Nyhetsbrev från webbläsaren"
    assert letter["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    header_link = str(letter["List-Unsubscribe"]).strip().strip("<>")
    [link] = [url for url in mailbox.links(letter) if "/e-post/avsluta/" in url]
    assert link == header_link
    # The page of the newsletter shows the send (progress and mail status).
    page.goto(live_server.url + newsletter.get_absolute_url())
    assert page.locator("progress").count() == 1
    axe(page)
    # The link works at once, without logging in, and offers to undo.
    page.context.clear_cookies()
    page.goto(live_server.url + urlparse(link).path)
    assert services.preferences_of("lasare@example.se")[Kind.NEWSLETTERS] == Frequency.NEVER
    axe(page)
    page.get_by_role("button", name=name("Ångra", "Undo")).click()
    page.wait_for_load_state()
    assert services.preferences_of("lasare@example.se")[Kind.NEWSLETTERS] == Frequency.IMMEDIATELY
    axe(page)


def test_news_preferences_and_survey_pages_pass_axe(live_server, page, axe, forum, communicator):
    services.news_save(actor=communicator, forum=forum, title="Nyhet med **Markdown**",
                       body="## Rubrik\n\nText med [länk](https://example.org).\n\n- a\n- b", audience="public",
                       publish_at=timezone.now() - dt.timedelta(minutes=5), send_mail=False)
    post = services.news_save(actor=communicator, forum=forum, title="Planerad", body="Senare", audience="public",
                              publish_at=timezone.now() + dt.timedelta(days=1), send_mail=True)
    coordinator = make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se", verified_email=True)
    meeting = make_meeting(forum, title="Vårträff", starts_at=timezone.now() - dt.timedelta(days=2))
    Meeting.objects.filter(pk=meeting.pk).update(status=Meeting.Status.HELD)
    company, person = company_with_rep(verified_email=True)
    make_registration(meeting, company, attendee=person)
    follow_up = services.follow_up_save(actor=coordinator, meeting=meeting, summary="Vi **träffades**.",
                                        links="Bilder | https://example.org/bilder")
    services.follow_up_publish(actor=coordinator, follow_up=follow_up)
    invitation = follow_up.invitations.get()
    for path in (forum.get_absolute_url(), reverse("communication:news_list", args=[forum.slug]),
                 reverse("communication:follow", args=[forum.slug]),
                 reverse("communication:follow_up_public", args=[meeting.pk]),
                 reverse("communication:survey", args=[invitation.token])):
        page.goto(live_server.url + path)
        axe(page)
    page.get_by_role("button", name=name("Skicka svaren", "Send the answers")).click()
    page.wait_for_load_state()
    axe(page)
    log_in_in_browser(page, live_server, communicator)
    for path in (reverse("communication:news_manage", args=[forum.slug]),
                 reverse("communication:news_create", args=[forum.slug]),
                 reverse("communication:news_detail", args=[forum.slug, post.pk]),
                 reverse("communication:newsletter_list", args=[forum.slug]),
                 reverse("accounts:profile"), reverse("communication:preferences")):
        page.goto(live_server.url + path)
        axe(page)
    page.goto(live_server.url + reverse("accounts:profile"))
    page.locator("#notifications input[name=news][value=daily]").check()
    page.locator("#notifications button[type=submit]").click()
    page.wait_for_url(re.compile(r"/konto/"))
    assert services.preferences_of(communicator.email)[Kind.NEWS] == Frequency.DAILY
    page.context.clear_cookies()
    log_in_in_browser(page, live_server, coordinator)
    for path in (reverse("communication:follow_up", args=[meeting.pk]),
                 reverse("communication:survey_questions", args=[meeting.pk]),
                 reverse("communication:survey_results", args=[meeting.pk]),
                 reverse("communication:survey_overview", args=[forum.slug])):
        page.goto(live_server.url + path)
        axe(page)
