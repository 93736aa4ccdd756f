"""Forming a network from issues, editing it, and what becomes of its issues."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from forum import notifications
from forum.services import audit_record
from issues import services as issue_services
from issues.models import Issue

from ..models import Membership, Network, NetworkIssue, NetworkMeeting
from .common import NetworkError, mail_member, network_context, organisation_of
from .meetings import meeting_cancel

# Issues a network can take up: candidates (the priority list is made of them) and issues
# raised later that nobody has handled yet.
ELIGIBLE_STATUSES = (Issue.Status.CANDIDATE, Issue.Status.NEW)
MAX_PROCESS_LEADERS = 2
EDITABLE = ("title", "focus_area", "goal", "status", "visibility")


def _tell_raisers(*, actor: Any, network: Network, issue: Issue, template: str, **extra: Any) -> None:
    """Tell the issue's raisers and supporters (ISSUE_UPDATES, as they chose) what the network
    did with it. They need not be members: a members-only network is not named to them (nor
    its goal, nor in a digest), as on the issue's public page (networks.timeline)."""
    hidden = not network.is_public
    notifications.notify(
        kind=notifications.Kind.ISSUE_UPDATES, recipients=issue_services.issue_recipients(issue), template=template,
        context={**issue_services.mail_context(issue), **network_context(network), "network_hidden": hidden, **extra},
        forum=network.forum, network=None if hidden else network, issue=issue, created_by=actor,
    )


def _take_up(*, actor: Any, network: Network, issues: Iterable[Issue]) -> list[Issue]:
    """Link each issue to ``network``, move it to "taken up by a network" and tell its raisers
    and supporters (ISSUE_UPDATES, as they chose). Inside the caller's transaction."""
    if network.status == Network.Status.CLOSED:
        # Its raisers would be told that a network that has ended "will drive it further".
        raise NetworkError(_("A closed network takes up no issues. Choose another status, or another network."))
    taken = []
    for issue in issues:
        issue = Issue.objects.select_for_update().get(pk=issue.pk)
        if issue.forum_id != network.forum_id:
            raise NetworkError(_("Only issues of the network's own forum can be taken up."))
        if issue.status not in ELIGIBLE_STATUSES or NetworkIssue.objects.filter(issue=issue).exists():
            raise NetworkError(_("The issue “%(text)s” cannot be taken up: it is not a candidate or new issue, or "
                                 "another network already drives it.") % {"text": issue.text[:60]})
        NetworkIssue.objects.create(network=network, issue=issue, added_by=actor)
        try:
            issue = issue_services.issue_network_status(actor=actor, issue=issue, status=Issue.Status.NETWORK,
                                                        network_id=network.pk)
        except issue_services.IssueError:
            # The issue is on the ballot of an open vote (its status was checked above).
            raise NetworkError(_("The issue “%(text)s” is on the ballot of a vote that is open. A network can take "
                                 "it up when the vote has closed.") % {"text": issue.text[:60]}) from None
        _tell_raisers(actor=actor, network=network, issue=issue, template="networks/issue_taken_up")
        taken.append(issue)
    return taken


def network_form(
    *, actor: Any, forum, title: str, goal: str, issues: Sequence[Issue],
    process_leaders: Sequence[tuple[Any, Any]], focus_area=None, status: str = Network.Status.FORMING,
    visibility: str = Network.Visibility.PUBLIC,
) -> Network:
    """Form a network of ``forum`` from one or more ``issues`` with one or two process leaders
    (``(person, organisation or None)``). The issues move to "taken up by a network", linked
    to it, and their raisers and supporters are told. Coordinators of the forum."""
    title, goal = title.strip(), goal.strip()
    if not title or not goal:
        raise NetworkError(_("Write the network's title and goal."))
    if not issues:
        raise NetworkError(_("Choose at least one issue for the network to drive."))
    people = {person.pk for person, _org in process_leaders}
    if not 1 <= len(people) <= MAX_PROCESS_LEADERS or len(people) != len(process_leaders):
        raise NetworkError(_("A network has one or two process leaders."))
    if status not in Network.Status.values or visibility not in Network.Visibility.values:
        raise NetworkError(_("Choose a status and who sees the network."))
    today = timezone.localdate()
    with transaction.atomic():
        network = Network.objects.create(forum=forum, title=title, goal=goal, focus_area=focus_area, status=status,
                                         visibility=visibility, created_by=actor)
        for person, organisation in process_leaders:
            organisation = organisation_of(person, organisation)
            Membership.objects.create(
                network=network, person=person, email=person.email, name=person.get_full_name() or person.email,
                organisation=organisation, organisation_name=organisation.name if organisation else "",
                role=Membership.Role.PROCESS_LEADER, status=Membership.Status.ACTIVE, started_on=today,
                invited_by=actor, decided_by=actor,
            )
        taken = _take_up(actor=actor, network=network, issues=issues)
        audit_record(actor=actor, action="network.form", target=network, forum=forum,
                     data={"issues": [i.pk for i in taken], "process_leaders": sorted(people)})
    return network


def network_update(*, actor: Any, network: Network, **fields: Any) -> Network:
    """Edit the network's title, focus area, goal, status or visibility; the audit keeps
    before and after. Closing the network ends what waits ahead (:func:`_close`): no reminder
    of a closed network's meeting goes out, and no request to join is left unanswered.
    Coordinators of the forum."""
    for name in fields:
        if name not in EDITABLE:
            raise ValueError(name)
    if "status" in fields and fields["status"] not in Network.Status.values:
        raise NetworkError(_("Choose a status."))
    if "visibility" in fields and fields["visibility"] not in Network.Visibility.values:
        raise NetworkError(_("Choose who sees the network."))
    for name in ("title", "goal"):
        if name in fields:
            fields[name] = (fields[name] or "").strip()
            if not fields[name]:
                raise NetworkError(_("Write the network's title and goal."))
    with transaction.atomic():
        network = Network.objects.select_for_update().get(pk=network.pk)
        changes = {}
        for name, value in fields.items():
            old = getattr(network, name)
            if old != value:
                changes[name] = [str(getattr(old, "pk", old)), str(getattr(value, "pk", value))]
                setattr(network, name, value)
        if changes:
            network.save()
            audit_record(actor=actor, action="network.update", target=network, forum=network.forum, data=changes)
        if "status" in changes and network.status == Network.Status.CLOSED:
            _close(actor=actor, network=network)
    return network


def _close(*, actor: Any, network: Network) -> None:
    """What closing ``network`` ends, in the caller's transaction: its planned meetings ahead
    are cancelled (the members told, with a calendar file that removes them), and the requests
    to join and the invitations that wait for an answer are declined, each asker or invited
    person told once that the network has closed (no one can approve or accept them any more)."""
    for meeting in network.meetings.filter(status=NetworkMeeting.Status.PLANNED, starts_at__gt=timezone.now()):
        meeting_cancel(actor=actor, meeting=meeting)
    for request in network.memberships.select_for_update(of=("self",)).filter(
            status=Membership.Status.REQUESTED).select_related("network__forum", "person"):
        request.status, request.decided_by = Membership.Status.DECLINED, actor
        request.save(update_fields=["status", "decided_by"])
        mail_member(request, "networks/request_closed", actor=actor)
        audit_record(actor=actor, action="network.member_decline_request", target=request, forum=network.forum,
                     data={"network_closed": True})
    for invitation in network.memberships.select_for_update(of=("self",)).filter(
            status=Membership.Status.INVITED).select_related("network__forum", "person"):
        invitation.status = Membership.Status.DECLINED
        invitation.save(update_fields=["status"])
        mail_member(invitation, "networks/invitation_closed", actor=actor)
        audit_record(actor=actor, action="network.member_decline", target=invitation, forum=network.forum,
                     data={"network_closed": True})


def network_add_issues(*, actor: Any, network: Network, issues: Sequence[Issue]) -> list[Issue]:
    """Let the network drive more issues (later ones too). Coordinators of the forum."""
    if not issues:
        raise NetworkError(_("Choose at least one issue for the network to drive."))
    with transaction.atomic():
        network = Network.objects.select_for_update().select_related("forum").get(pk=network.pk)
        taken = _take_up(actor=actor, network=network, issues=issues)
        audit_record(actor=actor, action="network.add_issues", target=network, forum=network.forum,
                     data={"issues": [i.pk for i in taken]})
    return taken


def network_release_issue(*, actor: Any, network: Network, issue: Issue) -> Issue:
    """The network lets an unresolved issue go: it is a candidate for the priority list again
    and can be triaged. Coordinators of the forum."""
    with transaction.atomic():
        link = NetworkIssue.objects.select_for_update().filter(network=network, issue=issue).first()
        if link is None or link.resolved_at is not None:
            raise NetworkError(_("The network does not drive this issue (or has already resolved it)."))
        link.delete()
        issue = issue_services.issue_network_status(actor=actor, issue=issue, status=Issue.Status.CANDIDATE,
                                                    network_id=network.pk)
        audit_record(actor=actor, action="network.release_issue", target=network, forum=network.forum,
                     data={"issue": issue.pk})
    return issue


def network_resolve_issue(*, actor: Any, network: Network, issue: Issue, outcome: str) -> Issue:
    """Record the network's outcome for an issue it drives: the issue is resolved with the
    outcome as its answer, and its raisers and supporters are told (ISSUE_UPDATES). Process
    leaders of the network."""
    outcome = outcome.strip()
    if not outcome:
        raise NetworkError(_("Write the outcome; it is shown to those who raised the issue."))
    with transaction.atomic():
        link = NetworkIssue.objects.select_for_update().filter(network=network, issue=issue).first()
        if link is None or link.resolved_at is not None:
            raise NetworkError(_("The network does not drive this issue (or has already resolved it)."))
        issue = issue_services.issue_network_status(actor=actor, issue=issue, status=Issue.Status.RESOLVED,
                                                    network_id=network.pk, answer=outcome)
        link.outcome = outcome
        link.resolved_at = timezone.now()
        link.save(update_fields=["outcome", "resolved_at"])
        _tell_raisers(actor=actor, network=network, issue=issue, template="networks/issue_outcome", outcome=outcome)
        audit_record(actor=actor, action="network.resolve_issue", target=network, forum=network.forum,
                     data={"issue": issue.pk})
    return issue
