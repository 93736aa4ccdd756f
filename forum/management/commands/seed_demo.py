"""Demo data for "11:11 – Meet Malmö": each app seeds its own part, in order, through its
``<app>/demo.py`` (``seed(*, stdout=None)``), which finds what it builds on by query (the
forum by slug, people by address, meetings by kind):

- :mod:`accounts.demo`: one demo user per role, with the demo password;
- :mod:`forum.demo`: the forum, the invented company register with a contact person each,
  partner organisations, departments, non-profits, and the demo users' ties and roles;
- :mod:`events.demo`: the diversity targets, last year's start-up year played out and this
  year's meetings (one open for registration);
- :mod:`issues.demo`: issues in every status at last year's meetings and the closed vote with
  its confirmed priority list;
- :mod:`communication.demo`: news (published, for participants, for staff, scheduled), a sent
  newsletter and a draft, followers, people with each email choice, and the first documented
  meeting's follow-up with survey answers.
- :mod:`networks.demo`: three networks formed from the priority list, in different states,
  with members, meetings, actions, updates and money.

Idempotent: a second run creates nothing new (each part says how). Everything is invented (no
real people); mail addresses are on ``forum.example``. Demo mail is written to the outbox like
any other (that is how the services work) but marked as sent at once: the addresses are
invented and nothing leaves the portal.
"""
from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts import demo as accounts_demo
from communication import demo as communication_demo
from events import demo as events_demo
from forum import demo as forum_demo
from forum.models import OutboxMessage
from issues import demo as issues_demo
from networks import demo as networks_demo


class Command(BaseCommand):
    help = "Skapar demodata för 11:11 – Meet Malmö (går att köra flera gånger)."

    def handle(self, *args, **options):
        with transaction.atomic():
            first_mail = OutboxMessage.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            accounts_demo.seed(stdout=self.stdout)
            forum_demo.seed(stdout=self.stdout)
            events_demo.seed(stdout=self.stdout)
            issues_demo.seed(stdout=self.stdout)
            networks_demo.seed(stdout=self.stdout)
            communication_demo.seed(stdout=self.stdout)
            # Invented addresses: record the demo's mail as sent so none of it goes out.
            OutboxMessage.objects.filter(pk__gt=first_mail, status=OutboxMessage.Status.QUEUED).update(
                status=OutboxMessage.Status.SENT, sent_at=timezone.now()
            )
