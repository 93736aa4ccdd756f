"""Bulk invitations survive a lost task: the periodic resume finishes them, once each."""
from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from events import services
from events.models import InvitationBatch, Meeting, Registration, SeatPool
from forum import services as forum_services


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_lost_batch_is_resumed_and_invites_each_company_once(mailbox):
    forum = forum_services.forum_create(actor=None, municipality="Malmö", name="Meet Malmö", slug="meet-malmo")
    start = timezone.now() + dt.timedelta(days=40)
    meeting = services.meeting_create(actor=None, forum=forum, kind=Meeting.Kind.COMBINED, title="Vårträff",
                                      starts_at=start, ends_at=start + dt.timedelta(hours=3))
    services.meeting_set_status(actor=None, meeting=meeting, status=Meeting.Status.PUBLISHED)
    pool = meeting.pools.get(kind=SeatPool.Kind.CITY_PICK)
    companies = [
        forum_services.organisation_create(actor=None, kind="company", name=name, organisationsnummer=number,
                                           sni_section="M", size_class="10-49")
        for name, number in (("Limhamns Revision AB", "5591234561"), ("Kirsebergs Arkitekter AB", "5590000005"))
    ]
    # A batch whose task never reached the broker (Redis was down at commit).
    batch = InvitationBatch.objects.create(
        meeting=meeting, pool=pool, total=2,
        items=[{"organisation": c.pk, "email": f"vd{i}@forum.example", "name": ""} for i, c in enumerate(companies)],
    )
    InvitationBatch.objects.filter(pk=batch.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))

    assert services.invitation_batches_resume() == 1
    assert services.invitation_batches_resume() == 1  # a second task for the same batch is harmless
    deadline = time.monotonic() + 30
    while (
        InvitationBatch.objects.get(pk=batch.pk).status != InvitationBatch.Status.DONE and time.monotonic() < deadline
    ):
        time.sleep(0.2)
    batch.refresh_from_db()
    assert (batch.status, batch.done) == (InvitationBatch.Status.DONE, 2)
    assert Registration.objects.filter(meeting=meeting, status=Registration.Status.INVITED).count() == 2
    mailbox.wait_for(lambda m: "vd0@forum.example" in m["To"] or "vd1@forum.example" in m["To"], count=2)
    assert services.invitation_batches_resume() == 0
