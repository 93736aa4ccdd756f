"""The networks' demo data (networks/demo.py, run by seed_demo): three networks in different
states from the demo priority list, membership history, overdue actions, and a last year whose
annual report has content."""
from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from forum.models import Forum, OutboxMessage
from issues.models import Issue
from networks import report, selectors
from networks.models import Membership, Network

pytestmark = pytest.mark.django_db


def test_demo_networks_tell_a_story_and_fill_last_years_report():
    call_command("seed_demo")
    call_command("seed_demo")  # a second run adds nothing
    forum = Forum.objects.get(slug="meet-malmo")
    networks = {n.title: n for n in forum.networks.all()}
    assert len(networks) == 3
    assert {n.status for n in networks.values()} == {"active", "forming", "paused"}
    assert {n.visibility for n in networks.values()} == {"public", "members"}
    assert not Issue.objects.filter(forum=forum, status=Issue.Status.NETWORK, network_link__isnull=True).exists()
    assert Membership.objects.filter(network__forum=forum, status=Membership.Status.ENDED).exists()
    assert Membership.objects.filter(network__forum=forum, status=Membership.Status.REQUESTED).exists()
    assert selectors.overdue_actions(list(networks.values())).count() >= 2
    last_year = report.annual_report(forum, timezone.localdate().year - 1)
    assert last_year.spent > 0 and last_year.network_meetings >= 2 and last_year.actions_done >= 1
    assert any(row.updates for row in last_year.networks) and last_year.priority_list
    assert not OutboxMessage.objects.filter(status=OutboxMessage.Status.QUEUED).exists()
    assert Network.objects.filter(forum=forum, visibility="members").get().memberships.count() >= 3
