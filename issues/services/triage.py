"""Triage: editing, merging and moving an issue through its statuses, and telling those who
raised or support it."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from forum import notifications
from forum.mail import site_url
from forum.services import audit_record

from ..models import Issue, IssueEvent, IssueSupport, Vote
from .base import IssueError
from .capture import raised_by
from .voting import _freeze_candidates, vote_is_open

# --- Editing, merging, triage -----------------------------------------------------------
EDITABLE = ("text", "focus_area", "side", "anonymous")


def _lock_votes_holding(issue_ids: Iterable[int], now: dt.datetime) -> list[Vote]:
    """Lock the votes not yet closed that have one of ``issue_ids`` among their candidates,
    and refuse if one of them is open: what people vote on never changes under them.
    Returns the draft votes (whose candidate texts the caller refreshes). Locking the vote
    rows serialises a change with :func:`vote_open`, which takes the texts under that lock."""
    holding = Vote.candidates.through.objects.filter(issue_id__in=list(issue_ids)).values("vote_id")
    votes = list(
        Vote.objects.select_for_update()
        .filter(pk__in=holding, status__in=(Vote.Status.DRAFT, Vote.Status.OPEN))
        .order_by("pk")
    )
    if any(vote_is_open(vote, now) for vote in votes):
        raise IssueError(_("The issue is on the ballot of a vote that is open. It can be changed when the vote "
                           "has closed."))
    return votes


def _leave_draft_votes(*, actor: Any, issue_ids: Iterable[int], drafts: list[Vote]) -> None:
    """Issues that stop being candidates for the priority list (merged into another, or
    triaged otherwise) leave the ballots of the ``drafts`` (locked by
    :func:`_lock_votes_holding`): a vote that opens later, by hand or by the clock, has only
    candidates on it, never an issue merged into one beside it. Refused (IssueError) when a
    draft would keep fewer than two candidates. Side effects: the draft's candidates and
    their texts, an audit row per draft changed."""
    leaving_ids = set(issue_ids)
    for vote in drafts:
        held = set(vote.candidates.values_list("pk", flat=True))
        leaving = held & leaving_ids
        if not leaving:
            continue
        if len(held - leaving) < 2:
            raise IssueError(_("The issue is one of the two last candidates of the vote “%(title)s”, which has not "
                               "opened yet. Delete that vote first.") % {"title": vote.title})
        vote.candidates.remove(*leaving)
        _freeze_candidates(vote)
        audit_record(actor=actor, action="vote.candidates_leave", target=vote, forum=vote.meeting.forum,
                     data={"issues": sorted(leaving)})


def issue_edit(*, actor: Any, issue: Issue, **fields: Any) -> Issue:
    """Edit an issue's text, focus area, side or anonymity; the history keeps before and after.
    Refused while the issue is on the ballot of an open vote (what people vote on never
    changes under them); a vote that has not opened yet takes the new text. Coordinators
    (and facilitators for issues of their meeting)."""
    for name in fields:
        if name not in EDITABLE:
            raise ValueError(name)
    with transaction.atomic():
        drafts = _lock_votes_holding([issue.pk], timezone.now())
        changes = {}
        for name, value in fields.items():
            old = getattr(issue, name)
            if old != value:
                changes[name] = [getattr(old, "pk", old), getattr(value, "pk", value)]
        if not changes:
            return issue
        for name, value in fields.items():
            setattr(issue, name, value)
        issue.save()
        IssueEvent.objects.create(issue=issue, kind=IssueEvent.Kind.EDITED, actor=actor, changes=changes)
        audit_record(actor=actor, action="issue.edit", target=issue, forum=issue.forum,
                     data={"fields": sorted(changes)})
        # A vote that has not opened yet shows the ballot as it will be: keep its texts current.
        for vote in drafts:
            _freeze_candidates(vote)
    return issue


def issue_merge(*, actor: Any, survivor: Issue, duplicates: Iterable[Issue]) -> Issue:
    """Merge duplicates into ``survivor``: their supporters carry over, their raisers become
    supporters (so they keep hearing what happens), and each duplicate stays findable with a
    pointer to the survivor. Coordinators."""
    duplicates = list(duplicates)
    with transaction.atomic():
        drafts = _lock_votes_holding([survivor.pk, *(d.pk for d in duplicates)], timezone.now())
        survivor = Issue.objects.select_for_update().get(pk=survivor.pk)
        if survivor.status == Issue.Status.MERGED:
            raise IssueError(_("An issue that has been merged cannot take in others."))
        merged_ids = []
        told: list[tuple[Issue, list[tuple[str, str]]]] = []
        for duplicate in (
            Issue.objects.select_for_update().filter(pk__in=[d.pk for d in duplicates]).exclude(pk=survivor.pk)
        ):
            if duplicate.forum_id != survivor.forum_id:
                raise IssueError(_("Only issues of the same forum can be merged."))
            # Who hears that the duplicate was merged: those who raised or supported it, read
            # before its support moves to the survivor.
            told.append((duplicate, issue_recipients(duplicate)))
            backers = [{"person": support.person} if support.person_id else {"registration": support.registration}
                       for support in duplicate.supports.select_related("person", "registration")
                       if support.person_id or support.registration_id]
            # A support kept from an erased account names nobody: it moves as it is, still counted.
            duplicate.supports.filter(person__isnull=True, registration__isnull=True).update(issue=survivor)
            if duplicate.raised_by_id:
                backers.append({"person": duplicate.raised_by})
            elif duplicate.raised_by_registration_id:
                backers.append({"registration": duplicate.raised_by_registration})
            for lookup in backers:
                # Each person once: the survivor's own raiser is not also its supporter.
                if not raised_by(survivor, **lookup):
                    IssueSupport.objects.get_or_create(issue=survivor, **lookup)
            duplicate.supports.all().delete()
            # Earlier merges into the duplicate now point at the survivor.
            Issue.objects.filter(merged_into=duplicate).update(merged_into=survivor)
            previous = duplicate.status
            duplicate.status = Issue.Status.MERGED
            duplicate.merged_into = survivor
            duplicate.save()
            IssueEvent.objects.create(issue=duplicate, kind=IssueEvent.Kind.MERGED, actor=actor,
                                      changes={"status": [previous, Issue.Status.MERGED], "into": survivor.pk})
            merged_ids.append(duplicate.pk)
        _leave_draft_votes(actor=actor, issue_ids=merged_ids, drafts=drafts)
        if merged_ids:
            IssueEvent.objects.create(issue=survivor, kind=IssueEvent.Kind.MERGED, actor=actor,
                                      changes={"from": merged_ids})
            audit_record(actor=actor, action="issue.merge", target=survivor, forum=survivor.forum,
                         data={"merged": merged_ids})
        for duplicate, recipients in told:
            # A status change like any other: the mail says which issue it now lives on.
            _notify(duplicate, recipients)
    return survivor


def quick_fix_missing(*, department=None, responsible=None, due_date: dt.date | None = None) -> dict[str, str]:
    """What a quick fix lacks, as {field: message} (``department``, ``responsible``,
    ``due_date``); empty when it has all three. No side effects."""
    missing = {}
    if not department:
        missing["department"] = _("A quick fix needs a department. Choose the department.")
    if not responsible:
        missing["responsible"] = _("A quick fix needs a responsible person. Choose the person or give their email "
                                   "address.")
    if not due_date:
        missing["due_date"] = _("A quick fix needs a due date. Give the date it should be done by.")
    return missing


def issue_set_status(
    *, actor: Any, issue: Issue, status: str, department=None, responsible=None, due_date: dt.date | None = None,
    answer: str = "", now: dt.datetime | None = None,
) -> Issue:
    """Triage: move an issue to a status, with what that status needs (a quick fix: the
    department, a responsible person and a due date; resolved: the answer; out of scope: the
    reason). Everyone who raised or supports the issue hears of it by mail, as they chose.
    Coordinators. Refused (IssueError, naming the fields) when a quick fix lacks any of the
    three, and when its due date is set or changed to a day before that of ``now`` (the clock,
    or the demo's own time); a due date left as it was is kept even when it has passed."""
    now = now or timezone.now()
    if status not in Issue.Status.values or status == Issue.Status.MERGED:
        raise IssueError(_("Choose a status."), field="status")
    if status == Issue.Status.NETWORK:
        # The status means "driven by that network": it comes with the link to the network,
        # which only forming a network (or adding the issue to one) creates.
        raise IssueError(_("An issue is taken up by a network when a coordinator forms a network from it or adds "
                           "it to a network, on the network pages."), field="status")
    if status == Issue.Status.QUICK_FIX:
        missing = quick_fix_missing(department=department, responsible=responsible, due_date=due_date)
        if missing:
            raise IssueError(_("A quick fix needs a department, a responsible person and a due date."),
                             field_errors=missing)
    if status in (Issue.Status.RESOLVED, Issue.Status.OUT_OF_SCOPE) and not answer.strip():
        raise IssueError(_("Write the answer or the reason; it is shown to those who raised the issue."),
                         field="answer")
    with transaction.atomic():
        drafts = _lock_votes_holding([issue.pk], now)
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if (status == Issue.Status.QUICK_FIX and due_date != issue.due_date
                and due_date < timezone.localdate(now)):
            # A date set now is a promise about what lies ahead; an unchanged overdue date is
            # kept, so the issue can be triaged again without hiding that it is late.
            raise IssueError(_("The due date has already passed. Choose today or a later date."), field="due_date")
        if issue.status == Issue.Status.MERGED:
            raise IssueError(_("The issue has been merged; change the issue it was merged into."))
        if issue.status == Issue.Status.NETWORK:
            raise IssueError(_("The issue is taken up by a network. The network records its outcome; to change its "
                               "status here, a coordinator first removes it from the network."))
        if status != Issue.Status.CANDIDATE:
            _leave_draft_votes(actor=actor, issue_ids=[issue.pk], drafts=drafts)
        previous = issue.status
        issue.status = status
        issue.department = department if status == Issue.Status.QUICK_FIX else issue.department
        issue.responsible = responsible if status == Issue.Status.QUICK_FIX else issue.responsible
        issue.due_date = due_date if status == Issue.Status.QUICK_FIX else issue.due_date
        if answer:
            issue.answer = answer.strip()
        issue.save()
        IssueEvent.objects.create(issue=issue, kind=IssueEvent.Kind.STATUS, actor=actor,
                                  changes={"status": [previous, status]})
        audit_record(actor=actor, action="issue.status", target=issue, forum=issue.forum,
                     data={"from": previous, "to": status})
        if previous != status:
            _notify(issue)
    return issue


NETWORK_STATUSES = (Issue.Status.NETWORK, Issue.Status.RESOLVED, Issue.Status.CANDIDATE)


def issue_network_status(*, actor: Any, issue: Issue, status: str, network_id: int, answer: str = "") -> Issue:
    """For the networks app only: the status an issue gets through a network – taken up
    (``NETWORK``), resolved with the network's outcome (``RESOLVED``, ``answer``), or given back
    to the priority list when the network lets it go (``CANDIDATE``). The history and the audit
    record the network. Sends no mail: the caller tells the raisers and supporters in the
    network's words (:func:`issue_recipients`). The caller has checked the permission and
    holds the link row. Taking an issue up is refused while it is on the ballot of an open
    vote, as every other change of its status (what people vote on never changes under them;
    a network is formed once the priority list is decided)."""
    if status not in NETWORK_STATUSES:
        raise ValueError(status)
    with transaction.atomic():
        if status == Issue.Status.NETWORK:
            _lock_votes_holding([issue.pk], timezone.now())
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.status == Issue.Status.MERGED:
            raise IssueError(_("The issue has been merged; change the issue it was merged into."))
        if status == Issue.Status.RESOLVED and not answer.strip():
            raise IssueError(_("Write the outcome; it is shown to those who raised the issue."))
        previous = issue.status
        issue.status = status
        if status == Issue.Status.RESOLVED:
            issue.answer = answer.strip()
        issue.save()
        IssueEvent.objects.create(issue=issue, kind=IssueEvent.Kind.STATUS, actor=actor,
                                  changes={"status": [previous, status], "network": network_id})
        audit_record(actor=actor, action="issue.status", target=issue, forum=issue.forum,
                     data={"from": previous, "to": status, "network": network_id})
    return issue


def issue_recipients(issue: Issue) -> list[tuple[str, str]]:
    """(email, language) of everyone who raised or supports the issue and wants updates:
    people with an account by their preference; participants known only by their
    registration (personal link) by the address they gave."""
    people: dict[str, str] = {}
    registrations = []
    if issue.raised_by_id:
        user = issue.raised_by
        if user.notify_issue_updates and user.is_active:
            people[user.email.lower()] = user.language
    elif issue.raised_by_registration_id:
        registrations.append(issue.raised_by_registration)
    for support in issue.supports.select_related("person", "registration__attendee"):
        if support.person_id:
            if support.person.notify_issue_updates and support.person.is_active:
                people.setdefault(support.person.email.lower(), support.person.language)
        elif support.registration_id:  # none for a support kept from an erased account
            registrations.append(support.registration)
    by_link: list[str] = []
    for registration in registrations:
        attendee = registration.attendee
        if attendee is not None:
            if attendee.notify_issue_updates and attendee.is_active:
                people.setdefault(attendee.email.lower(), attendee.language)
        elif registration.attendee_email or registration.contact_email:
            by_link.append((registration.attendee_email or registration.contact_email).lower())
    if by_link:
        # An address given at registration may belong to an account whose owner turned these
        # mails off (or who should get them in their own language): the account decides.
        match = Q()
        for address in set(by_link):
            match |= Q(email__iexact=address)
        accounts = {u.email.lower(): u for u in User.objects.filter(match)}
        for address in by_link:
            account = accounts.get(address)
            if account is None:
                people.setdefault(address, settings.LANGUAGE_CODE)
            elif account.notify_issue_updates and account.is_active:
                people.setdefault(address, account.language)
    people = {address: language for address, language in people.items() if address}
    return sorted(people.items())


def mail_context(issue: Issue) -> dict[str, Any]:
    """What the status mail shows: the issue, its public page and where to turn the mail off."""
    return {
        "issue": issue,
        "issue_url": site_url() + issue.get_absolute_url(),
        "profile_url": site_url() + reverse("accounts:profile") + "#notifications",
    }


def _notify(issue: Issue, recipients: list[tuple[str, str]] | None = None) -> None:
    notifications.notify(
        kind=notifications.Kind.ISSUE_UPDATES,
        recipients=issue_recipients(issue) if recipients is None else recipients,
        template="issues/status_changed", context=mail_context(issue), forum=issue.forum, issue=issue,
    )
