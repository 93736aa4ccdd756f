"""The Django admin is scoped and honest (issue 8, item 1).

Every registered ModelAdmin is tried by the portal administrator, a coordinator of forum
Aquila, a coordinator of forum Borealis and a logged-in person who is not staff, on the
changelist, change, add and delete pages, with records of both forums. RULES below says what
each may do; a new admin fails ``test_every_admin_has_rules`` until its rules are written here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import User
from communication import services as communication_services
from events import services as events_services
from events.models import InvitationBatch, Meeting, Registration, SeatPool
from forum import services as forum_services
from forum.admin_access import COORDINATOR_GROUP
from forum.admin_scope import SafeAdminInputMixin
from forum.models import (
    AccessibilityReport,
    Affiliation,
    AuditEvent,
    Forum,
    ForumRole,
    Organisation,
    OutboxMessage,
    Role,
)
from forum.permissions import is_forum_scoped
from issues import services as issues_services
from issues.models import Issue, PriorityListEntry, Vote
from networks import services as networks_services
from tests.factories import (
    company_with_rep,
    make_company,
    make_forum,
    make_meeting,
    make_registration,
    make_role_holder,
    make_user,
    pool_of,
    valid_organisationsnummer,
)

TAGS = ("Aquila", "Borealis")
ROLES = ("superuser", "coordinator:Aquila", "coordinator:Borealis", "nonstaff")


@dataclass(frozen=True)
class Rule:
    """What the portal administrator and a coordinator may do with a model in the admin:
    v(iew), a(dd), c(hange), d(elete). ``scoped``: a coordinator reaches only the records of
    the forums they coordinate (portal-wide records they reach all or none of)."""

    scoped: bool
    superuser: str
    coordinator: str


RULES: dict[str, Rule] = {
    # Forums: coordinators edit their own; creating and deleting is the administrator's.
    "forum.forum": Rule(True, "vacd", "vc"),
    # The portal-wide register and representations: coordinators look; the administrator writes.
    "forum.organisation": Rule(False, "vacd", "v"),
    "forum.affiliation": Rule(False, "vacd", "v"),
    # Owned by the portal's pages and services: read-only for everyone.
    "forum.forumrole": Rule(True, "v", "v"),
    "forum.outboxmessage": Rule(True, "v", "v"),
    "forum.auditevent": Rule(True, "v", "v"),
    "events.meeting": Rule(True, "v", "v"),
    "events.registration": Rule(True, "v", "v"),
    "events.nomination": Rule(True, "v", "v"),
    "events.invitationbatch": Rule(True, "v", "v"),
    "events.diversitytarget": Rule(True, "v", "v"),
    "issues.issue": Rule(True, "v", "v"),
    "issues.vote": Rule(True, "v", "v"),  # the records here are confirmed votes; drafts below
    "issues.prioritylistentry": Rule(True, "v", "v"),
    "communication.newspost": Rule(True, "v", "v"),
    "communication.newsletter": Rule(True, "v", "v"),
    "communication.follower": Rule(True, "v", "v"),
    "communication.followup": Rule(True, "v", "v"),
    "networks.network": Rule(True, "v", "v"),
    "networks.budgetpot": Rule(True, "v", "v"),
    "networks.expense": Rule(True, "v", "v"),
    # Portal matters, not the coordinators' (no permissions in their group).
    "forum.accessibilityreport": Rule(False, "vd", ""),  # marked handled by an action
    "accounts.user": Rule(False, "vacd", ""),
    "auth.group": Rule(False, "vacd", ""),
    "account.emailaddress": Rule(False, "vacd", ""),
}


# --- the world: two forums with a record of every kind --------------------------------------
def _forum_world(tag: str, partner: Organisation) -> dict:
    """Forum ``tag`` with its coordinator and one record (at least) of every forum-scoped
    model, all made through the services; every name and address contains ``tag``."""
    low = tag.lower()
    forum = make_forum(municipality=f"{tag}stad", name=f"Forum {tag}", slug=f"forum-{low}")
    coordinator = make_role_holder(forum, Role.COORDINATOR, f"samordnare-{low}@example.se",
                                   first_name="Sam", last_name="Ordnare")
    meeting = make_meeting(forum, kind=Meeting.Kind.PRIORITISATION, title=f"Träff {tag}", actor=coordinator)
    meeting = events_services.meeting_set_status(actor=coordinator, meeting=meeting, status=Meeting.Status.PUBLISHED)
    city_pool = pool_of(meeting, SeatPool.Kind.CITY_PICK)
    invited = events_services.invitation_create(
        actor=coordinator, pool=city_pool, organisation=make_company(f"Inbjudet {tag} AB"),
        contact_email=f"inbjuden-{low}@example.se",
    )
    partner_pool = pool_of(meeting, SeatPool.Kind.PARTNER_PICK)
    events_services.pool_save(actor=coordinator, meeting=meeting, pool=partner_pool, partner_organisation=partner)
    nomination = events_services.nomination_create(
        actor=coordinator, pool=partner_pool, company=make_company(f"Nominerat {tag} AB"),
        contact_email=f"nominerad-{low}@example.se",
    )
    batch = InvitationBatch.objects.create(meeting=meeting, pool=city_pool, items=[], total=0, created_by=coordinator)
    events_services.diversity_targets_save(actor=coordinator, forum=forum, targets={("gender", "woman"): 50})
    # Participants raise issues; triage makes them candidates (and mails the raisers).
    voters = []
    for n in range(2):
        company, user = company_with_rep()
        voters.append(make_registration(meeting, company, status=Registration.Status.CONFIRMED, attendee=user,
                                        contact_email=f"deltagare{n}-{low}@example.se"))
    issues = []
    for n, registration in enumerate(voters):
        issue = issues_services.issue_create(actor=registration.attendee, meeting=meeting, text=f"Fråga {n} {tag}",
                                             side="business", registration=registration)
        issues.append(issues_services.issue_set_status(actor=coordinator, issue=issue, status=Issue.Status.CANDIDATE))
    vote = issues_services.vote_create(actor=coordinator, meeting=meeting, title=f"Omröstning {tag}",
                                       candidates=issues)
    vote = issues_services.vote_open(actor=coordinator, vote=vote)
    issues_services.ballot_cast(vote=vote, registration=voters[0], marks={issues[0].pk: 1, issues[1].pk: 2})
    vote = issues_services.vote_close(actor=coordinator, vote=vote)
    vote = issues_services.vote_confirm(actor=coordinator, vote=vote)
    follow_up = communication_services.follow_up_save(actor=coordinator, meeting=meeting, summary=f"Träffen {tag}",
                                                      links="")
    leader = make_user(f"ledare-{low}@example.se", first_name="Lea", last_name=tag)
    # A later issue (new, not on the list) is what the network drives: the vote's stay candidates.
    later = issues_services.issue_create(actor=None, meeting=meeting, text=f"Senare fråga {tag}", side="business",
                                         keyed_in=True)
    network = networks_services.network_form(actor=coordinator, forum=forum, title=f"Nätverk {tag}", goal="Mål",
                                             issues=[later], process_leaders=[(leader, None)])
    pot = networks_services.pot_set(actor=coordinator, forum=forum, year=2026, amount="1000")
    networks_services.allocation_create(actor=coordinator, network=network, year=2026, amount="500")
    expense = networks_services.expense_create(actor=leader, network=network, date=dt.date(2026, 3, 1),
                                               category="room", amount="100", note=f"Lokal {tag}")
    return {
        "forum": forum,
        "coordinator": coordinator,
        "forum.forum": forum,
        "forum.forumrole": ForumRole.objects.get(forum=forum, user=coordinator),
        "forum.outboxmessage": OutboxMessage.objects.get(to_email=invited.contact_email),
        "forum.auditevent": AuditEvent.objects.get(action="forum.create", forum=forum),
        "events.meeting": meeting,
        "events.registration": invited,
        "events.nomination": nomination,
        "events.invitationbatch": batch,
        "events.diversitytarget": forum.diversity_targets.get(),
        "issues.issue": issues[0],
        "issues.vote": vote,
        "issues.prioritylistentry": PriorityListEntry.objects.filter(vote=vote).first(),
        "communication.newspost": communication_services.news_save(
            actor=coordinator, forum=forum, title=f"Nyhet {tag}", body="Text", audience="public",
            publish_at=meeting.starts_at, send_mail=False),
        "communication.newsletter": communication_services.newsletter_save(
            actor=coordinator, forum=forum, subject_sv=f"Brev {tag}", body_sv="Text", audiences=["staff"]),
        "communication.follower": communication_services.follow_request(
            actor=None, forum=forum, email=f"foljare-{low}@example.se", language="sv"),
        "communication.followup": follow_up,
        "networks.network": network,
        "networks.budgetpot": pot,
        "networks.expense": expense,
    }


def _portal_records(tag: str) -> dict:
    """One record of every portal-wide model, named after ``tag``."""
    low = tag.lower()
    company = make_company(f"Registrerat {tag} AB")
    person = make_user(f"person-{low}@example.se", first_name="Per", last_name=tag)
    return {
        "forum.organisation": company,
        "forum.affiliation": forum_services.affiliation_create(actor=None, person=person, organisation=company,
                                                               title=f"VD {tag}", confirmed=False),
        "forum.accessibilityreport": forum_services.accessibility_report_create(
            actor=None, description=f"Knappen {tag} saknar namn", email=f"anmalare-{low}@example.se", language="sv"),
        "accounts.user": person,
        "auth.group": Group.objects.create(name=f"Grupp {tag}"),
        "account.emailaddress": EmailAddress.objects.create(user=person, email=person.email, verified=True),
    }


@pytest.fixture(scope="module")
def _world_once(django_db_setup, django_db_blocker):
    """The world, built once for the module inside a transaction that is rolled back after
    its last test (as Django's TestCase.setUpTestData does)."""
    with django_db_blocker.unblock(), transaction.atomic():
        partner = Organisation.objects.create(kind=Organisation.Kind.PARTNER, name="Partnern")
        forums = {tag: {**_forum_world(tag, partner), **_portal_records(tag)} for tag in TAGS}
        people = {
            "superuser": User.objects.create_superuser("admin@example.se", "Admin-lösen-123"),
            "coordinator:Aquila": forums["Aquila"]["coordinator"],
            "coordinator:Borealis": forums["Borealis"]["coordinator"],
            "nonstaff": company_with_rep()[1],
        }
        yield {"forums": forums, "people": people}
        transaction.set_rollback(True)


@pytest.fixture
def world(_world_once, db):
    """Two forums with a record of every kind. Each test runs in a savepoint of the module's
    transaction (pytest-django's ``db``), so it sees none of another test's changes; use the
    records' ids and read afresh rather than trust the shared objects' fields."""
    return _world_once


# --- helpers --------------------------------------------------------------------------------
def _url(model, name: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{name}", args=args)


def _snapshot(model, obj) -> tuple:
    """What a refused request must leave alone: the record, the model's row count and the
    admin's and the portal's logs."""
    return (
        list(model._default_manager.filter(pk=obj.pk).values()),
        model._default_manager.count(),
        LogEntry.objects.count(),
        AuditEvent.objects.count(),
    )


def _payload(obj) -> dict:
    """A change submission built from the record, with its first text field altered: enough
    that a view which failed open would have something to write."""
    data = {}
    for name, value in model_to_dict(obj).items():
        if value is None:
            continue
        data[name] = [getattr(v, "pk", v) for v in value] if isinstance(value, list) else getattr(value, "pk", value)
    for field in obj._meta.concrete_fields:
        if field.get_internal_type() in ("CharField", "TextField") and field.editable and not field.choices:
            data[field.name] = "ÄNDRAD"
            break
    return data


def _expected_status(allowed: bool, out_of_reach: bool) -> int:
    """200 when allowed; a record of another forum is answered as missing (redirect to the
    admin index) when the user could act on such records at all; otherwise 403."""
    return 200 if allowed and not out_of_reach else 302 if allowed else 403


# --- the matrix -----------------------------------------------------------------------------
def test_every_admin_has_rules():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(RULES), "write the rules of every registered admin in RULES"
    for label, rule in RULES.items():
        model = next(m for m in admin.site._registry if m._meta.label_lower == label)
        assert rule.scoped == is_forum_scoped(model), label


# Admins that write with Django's own save, and why that is right for them.
OWN_SAVE = {
    "auth.group": "Django's permission groups: no rule of the portal's is kept in them",
    "accounts.user": "Django's user admin for the portal administrator; roles come from the forum's Roles page",
    "account.emailaddress": "allauth's own admin of e-mail addresses, for the portal administrator",
}


def test_every_admin_checks_tampered_input_before_django_uses_it():
    """An action's selection and an autocomplete value that are no ids got a server error
    from Django's admin; every registered admin has the portal's checks (the hostile values
    themselves are tried by tests/test_fuzz_forms.py)."""
    unchecked = [model._meta.label_lower for model, model_admin in admin.site._registry.items()
                 if not isinstance(model_admin, SafeAdminInputMixin)]
    assert unchecked == []


@pytest.mark.django_db
def test_every_admin_that_writes_goes_through_the_services():
    """Where the admin may add or change a record, its save is the portal's service (rules
    and the audit trail), not Django's plain save – unless OWN_SAVE says why not."""
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    writes = set()
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_add_permission(request) or model_admin.has_change_permission(request):
            label = model._meta.label_lower
            writes.add(label)
            if label not in OWN_SAVE:
                assert type(model_admin).save_model is not admin.ModelAdmin.save_model, label
    assert set(OWN_SAVE) <= writes, "OWN_SAVE names an admin that no longer writes"


@pytest.mark.parametrize("label", sorted(RULES))
def test_admin_matrix(client, world, label):
    rule = RULES[label]
    model = next(m for m in admin.site._registry if m._meta.label_lower == label)
    records = {tag: world["forums"][tag][label] for tag in TAGS}
    problems: list[str] = []

    def check(what: str, response, status: int, *, location: str | None = None) -> None:
        if response.status_code != status:
            problems.append(f"{who} {what}: {response.status_code}, expected {status}")
        elif status == 302 and location and not response["Location"].startswith(location):
            problems.append(f"{who} {what}: redirected to {response['Location']}, expected {location}")

    for who in ROLES:
        user = world["people"][who]
        client.force_login(user)
        if who == "nonstaff":
            # Not staff: every admin page sends them to the admin's log-in.
            login = reverse("admin:login")
            for what, url in [("changelist", _url(model, "changelist")), ("add", _url(model, "add"))] + [
                (f"{name} {tag}", _url(model, name, records[tag].pk)) for tag in TAGS for name in ("change", "delete")
            ]:
                check(f"GET {what}", client.get(url), 302, location=login)
            for tag in TAGS:
                before = _snapshot(model, records[tag])
                check(f"POST change {tag}", client.post(_url(model, "change", records[tag].pk), _payload(records[tag])),
                      302, location=login)
                check(f"POST delete {tag}", client.post(_url(model, "delete", records[tag].pk), {"post": "yes"}),
                      302, location=login)
                if _snapshot(model, records[tag]) != before:
                    problems.append(f"{who}: a refused POST on {tag} wrote something")
            continue

        perms = rule.superuser if who == "superuser" else rule.coordinator
        own_tag = who.partition(":")[2]

        def reaches(tag: str, who: str = who, own_tag: str = own_tag) -> bool:
            return who == "superuser" or not rule.scoped or tag == own_tag

        # Changelist: only the records the user reaches, and nothing naming another forum
        # (not even in a filter's choices).
        response = client.get(_url(model, "changelist"))
        check("changelist", response, 200 if "v" in perms else 403)
        if response.status_code == 200:
            html = response.content.decode()
            for tag in TAGS:
                listed = _url(model, "change", records[tag].pk) in html
                if listed != reaches(tag):
                    problems.append(f"{who} changelist: {tag}'s record {'listed' if listed else 'missing'}")
                if rule.scoped and not reaches(tag) and tag.lower() in html.lower():
                    problems.append(f"{who} changelist names {tag}")

        # Add: the page, and a refused submission writes nothing.
        check("GET add", client.get(_url(model, "add")), 200 if "a" in perms else 403)
        if "a" not in perms:
            before = model._default_manager.count(), LogEntry.objects.count()
            check("POST add", client.post(_url(model, "add"), _payload(records[TAGS[0]])), 403)
            if (model._default_manager.count(), LogEntry.objects.count()) != before:
                problems.append(f"{who}: a refused add wrote something")

        for tag in TAGS:
            record = records[tag]
            out_of_reach = not reaches(tag)
            response = client.get(_url(model, "change", record.pk))
            check(f"GET change {tag}", response, _expected_status("v" in perms, out_of_reach),
                  location=reverse("admin:index"))
            if response.status_code == 200 and "c" not in perms and 'name="_save"' in response.content.decode():
                problems.append(f"{who} GET change {tag}: offers a save button")
            check(f"GET delete {tag}", client.get(_url(model, "delete", record.pk)),
                  _expected_status("d" in perms, out_of_reach), location=reverse("admin:index"))
            # Refused submissions: nothing written. (Allowed ones are tried in their own tests.)
            before = _snapshot(model, record)
            if "c" not in perms or out_of_reach:
                check(f"POST change {tag}", client.post(_url(model, "change", record.pk), _payload(record)),
                      _expected_status("c" in perms, True), location=reverse("admin:index"))
            if "d" not in perms or out_of_reach:
                check(f"POST delete {tag}", client.post(_url(model, "delete", record.pk), {"post": "yes"}),
                      _expected_status("d" in perms, True), location=reverse("admin:index"))
            if _snapshot(model, record) != before:
                problems.append(f"{who}: a refused POST on {tag}'s record wrote something")

    assert not problems, "\n".join(problems)


def test_every_admin_takes_an_address_without_a_scheme_as_https(db):
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True)
    checked = set()
    for model_admin in admin.site._registry.values():
        for each in [model_admin, *model_admin.get_inline_instances(request)]:
            for field in each.model._meta.get_fields():
                if isinstance(field, models.URLField):
                    name = f"{each.model._meta.label}.{field.name}"
                    assert each.formfield_for_dbfield(field, request).clean("exempel.se") == "https://exempel.se", name
                    checked.add(name)
    assert "forum.Organisation.website" in checked


def test_choice_lists_offer_only_the_users_forums(world):
    """Every foreign-key and many-to-many choice list of every admin (also behind raw-id and
    autocomplete widgets, which validate against it) leaves out the other forum's records."""
    request = RequestFactory().get("/admin/")
    request.user = world["people"]["coordinator:Borealis"]
    aquila = world["forums"]["Aquila"]["forum"]
    checked = 0
    for model_admin in admin.site._registry.values():
        admins = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            for field in each.model._meta.get_fields():
                if not isinstance(field, (models.ForeignKey, models.ManyToManyField)):
                    continue
                if not is_forum_scoped(field.related_model):
                    continue
                formfield = (each.formfield_for_manytomany if field.many_to_many else each.formfield_for_foreignkey)(
                    field, request)
                if formfield is None:
                    continue
                checked += 1
                offered = {forum_id for forum_id in formfield.queryset.values_list(
                    field.related_model.FORUM_PATH, flat=True)}
                assert aquila.pk not in offered, f"{each.model._meta.label}.{field.name} offers Aquila's records"
    assert checked >= 10


def test_non_coordinator_staff_see_no_forum_records(client, world):
    """Staff status and Django permissions alone open nothing of a forum: a person made staff
    with every view permission, but coordinator of no forum, sees no forum's records."""
    staff = make_user("stab@example.se", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    client.force_login(staff)
    assert client.get(_url(Meeting, "changelist")).status_code == 403
    meeting = world["forums"]["Aquila"]["events.meeting"]
    assert client.get(_url(Meeting, "change", meeting.pk)).status_code == 403
    assert client.get(_url(Organisation, "changelist")).status_code == 200  # portal-wide: Django decides
    html = client.get(reverse("admin:index")).content.decode()
    assert _url(Meeting, "changelist") not in html and _url(Organisation, "changelist") in html


# --- writes that the admin does allow, through the services --------------------------------
def test_forum_created_in_the_admin_gets_focus_areas_and_an_audit_row(client, world):
    coordinator = world["people"]["coordinator:Aquila"]
    data = {"municipality": "Lund", "name": "Forum Lund", "slug": "forum-lund", "description": "Nytt"}
    client.force_login(coordinator)
    assert client.post(_url(Forum, "add"), data).status_code == 403
    assert not Forum.objects.filter(slug="forum-lund").exists()

    admin_user = world["people"]["superuser"]
    client.force_login(admin_user)
    response = client.post(_url(Forum, "add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    forum = Forum.objects.get(slug="forum-lund")
    assert forum.name == "Forum Lund" and forum.municipality == "Lund"
    assert list(forum.focus_areas.values_list("position", flat=True)) == [1, 2, 3]
    assert AuditEvent.objects.filter(action="forum.create", actor=admin_user, forum=forum).count() == 1
    assert LogEntry.objects.filter(object_id=str(forum.pk)).exists()  # the admin's own log names it too


def _forum_form(forum: Forum, **changes) -> dict:
    """The forum change form as the admin renders it, with its focus-area inline."""
    areas = list(forum.focus_areas.order_by("position"))
    data = {"municipality": forum.municipality, "name": forum.name, "slug": forum.slug,
            "description": forum.description,
            "focus_areas-TOTAL_FORMS": str(len(areas)), "focus_areas-INITIAL_FORMS": str(len(areas)),
            "focus_areas-MIN_NUM_FORMS": "0", "focus_areas-MAX_NUM_FORMS": "1000"}
    for i, area in enumerate(areas):
        data.update({f"focus_areas-{i}-id": str(area.pk), f"focus_areas-{i}-forum": str(forum.pk),
                     f"focus_areas-{i}-position": str(area.position), f"focus_areas-{i}-name": area.name,
                     f"focus_areas-{i}-description": area.description})
    data.update(changes)
    return data


def test_coordinator_edits_own_forum_through_the_services(client, world):
    aquila = world["forums"]["Aquila"]["forum"]
    borealis = world["forums"]["Borealis"]["forum"]
    coordinator = world["people"]["coordinator:Aquila"]
    client.force_login(coordinator)
    url = _url(Forum, "change", aquila.pk)
    response = client.post(url, _forum_form(aquila, name="Forum Aquila Nya", slug="kapad",
                                            **{"focus_areas-0-name": "Jobb och skola"}))
    assert response.status_code == 302, response.content.decode()[:3000]
    aquila.refresh_from_db()
    assert aquila.name == "Forum Aquila Nya"
    assert aquila.slug == "forum-aquila"  # the address is the administrator's to change
    assert aquila.focus_areas.get(position=1).name == "Jobb och skola"
    update = AuditEvent.objects.get(action="forum.update", actor=coordinator, forum=aquila)
    assert update.data["changes"] == {"name": ["Forum Aquila", "Forum Aquila Nya"]}
    assert AuditEvent.objects.filter(action="forum.focus_area_update", actor=coordinator, forum=aquila).count() == 1

    # The other forum's coordinator changes nothing of it, even with a complete form.
    other = world["people"]["coordinator:Borealis"]
    client.force_login(other)
    before = _snapshot(Forum, aquila), list(aquila.focus_areas.values())
    response = client.post(url, _forum_form(aquila, name="Kapat"))
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    assert (_snapshot(Forum, aquila), list(aquila.focus_areas.values())) == before
    assert borealis.name == "Forum Borealis"


def _draft_vote(world, tag: str) -> Vote:
    data = world["forums"][tag]
    meeting = data["events.meeting"]
    candidates = list(Issue.objects.filter(forum=data["forum"], status=Issue.Status.CANDIDATE))
    return issues_services.vote_create(actor=data["coordinator"], meeting=meeting, title=f"Utkast {tag}",
                                       candidates=candidates)


def test_coordinator_cannot_change_or_delete_another_forums_vote(client, world):
    """The hole from the outside review: a coordinator of one forum changed and deleted the
    votes of another. Even given Django's change and delete permission on votes, a
    coordinator of Borealis reaches no vote of Aquila."""
    draft = _draft_vote(world, "Aquila")
    other = world["people"]["coordinator:Borealis"]
    other.user_permissions.add(*Permission.objects.filter(codename__in=["change_vote", "delete_vote"]))
    client.force_login(other)
    before = _snapshot(Vote, draft), list(draft.candidates.values_list("pk", flat=True))
    response = client.post(_url(Vote, "change", draft.pk), {"title": "Kapad", "method": "borda", "dots": 3})
    assert response.status_code == 302 and response["Location"] == reverse("admin:index")
    # (A vote is only ever deleted one by one, so the check for "no such vote" already refuses.)
    assert client.post(_url(Vote, "delete", draft.pk), {"post": "yes"}).status_code == 403
    response = client.post(_url(Vote, "changelist"), {"action": "delete_selected", "_selected_action": [draft.pk],
                                                      "post": "yes"})
    assert (_snapshot(Vote, draft), list(draft.candidates.values_list("pk", flat=True))) == before
    assert _url(Vote, "change", draft.pk) not in client.get(_url(Vote, "changelist")).content.decode()

    # Their own forum's draft they may tidy with that permission; Aquila's coordinator, with
    # only the group's view permission, may not.
    own = _draft_vote(world, "Borealis")
    response = client.post(_url(Vote, "change", own.pk), {"title": "Prioritering", "method": "schulze", "dots": 5})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.title == "Prioritering"
    client.force_login(world["people"]["coordinator:Aquila"])
    assert (
        client.post(_url(Vote, "change", draft.pk), {"title": "X", "method": "schulze", "dots": 5}).status_code == 403
    )
    draft.refresh_from_db()
    assert draft.title == "Utkast Aquila"


def _vote_form(vote: Vote, **changes) -> dict:
    """A draft vote's change form as the admin renders it (times as ``datetime-local``)."""
    data = {"title": vote.title, "method": vote.method, "dots": str(vote.dots), "opens_at": "", "closes_at": ""}
    data.update(changes)
    return data


@pytest.mark.parametrize("changes, message", [
    ({"dots": "0"}, "Ange ett heltal från 1 till 100."),
    ({"dots": "101"}, "Ange ett heltal från 1 till 100."),
    ({"dots": "99999999999999999999"}, "Ange ett heltal från 1 till 100."),
    ({"opens_at": "0001-01-01T10:00"}, "Välj ett datum mellan 2000 och 2100."),
    ({"closes_at": "9999-12-31T23:59"}, "Välj ett datum mellan 2000 och 2100."),
    ({"opens_at": "2030-05-02T10:00", "closes_at": "2030-05-02T09:00"},
     "Omröstningen måste stänga efter att den öppnar."),
    ({"method": "majority"}, "Välj ett giltigt alternativ."),
])
def test_a_draft_vote_changed_in_the_admin_keeps_the_portals_rules(client, world, changes, message):
    """The admin may tidy an untouched draft, but only within the rules the portal's own
    vote form keeps (points per voter, the year window, closing after opening): a refused
    change shows why and writes nothing."""
    draft = _draft_vote(world, "Aquila")
    client.force_login(world["people"]["superuser"])
    before = _snapshot(Vote, draft)
    response = client.post(_url(Vote, "change", draft.pk), _vote_form(draft, **changes), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _snapshot(Vote, draft) == before


def test_a_draft_vote_changed_in_the_admin_goes_through_the_service(client, world):
    draft = _draft_vote(world, "Aquila")
    admin_user = world["people"]["superuser"]
    client.force_login(admin_user)
    response = client.post(_url(Vote, "change", draft.pk), _vote_form(
        draft, title="Prioritering våren", method="dots", dots="7",
        opens_at="2030-05-02T09:00", closes_at="2030-05-02T10:30"))
    assert response.status_code == 302, response.content.decode()[:3000]
    draft.refresh_from_db()
    assert (draft.title, draft.method, draft.dots) == ("Prioritering våren", "dots", 7)
    assert draft.opens_at.isoformat() == "2030-05-02T07:00:00+00:00"  # Stockholm summer time
    assert draft.closes_at.isoformat() == "2030-05-02T08:30:00+00:00"
    audit = AuditEvent.objects.get(action="vote.update", target_id=str(draft.pk))
    assert audit.actor == admin_user and audit.forum == world["forums"]["Aquila"]["forum"]
    assert audit.data["changes"]["dots"] == [5, 7]
    assert audit.data["changes"]["opens_at"] == [None, "2030-05-02T07:00:00+00:00"]

    # Deleting an untouched draft is recorded too.
    response = client.post(_url(Vote, "delete", draft.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not Vote.objects.filter(pk=draft.pk).exists()
    deleted = AuditEvent.objects.get(action="vote.delete", target_id=str(draft.pk))
    assert deleted.actor == admin_user and deleted.data["title"] == "Prioritering våren"


def test_a_vote_opened_since_the_page_was_read_is_not_changed(world):
    """The service decides, under the vote's lock: a vote opened (or given a ballot) after the
    admin's page was read is refused and left as it is."""
    draft = _draft_vote(world, "Aquila")
    coordinator = world["forums"]["Aquila"]["coordinator"]
    issues_services.vote_open(actor=coordinator, vote=draft)
    with pytest.raises(issues_services.IssueError):
        issues_services.vote_update(actor=coordinator, vote=draft, title="För sent", dots=9)
    with pytest.raises(issues_services.IssueError):
        issues_services.vote_delete(actor=coordinator, vote=draft)
    draft.refresh_from_db()
    assert (draft.title, draft.dots, draft.status) == ("Utkast Aquila", 5, Vote.Status.OPEN)
    with pytest.raises(issues_services.IssueError):  # the service keeps the bounds by itself too
        issues_services.vote_update(actor=coordinator, vote=_draft_vote(world, "Aquila"), dots=0)


def _organisation_form(organisation: Organisation, **changes) -> dict:
    data = {name: ("" if value is None else value) for name, value in model_to_dict(organisation).items()
            if name != "id"}
    data.update(changes)
    return data


def test_an_organisation_changed_in_the_admin_is_normalised_checked_and_recorded(client, world):
    """The shared register keeps one row per organisationsnummer however it is typed: the
    admin's change goes through forum.services (normalised as at creation, recorded in the
    audit trail without the number itself, which may be a person's), and a number another
    organisation already has is refused with a message, not a server error."""
    company = world["forums"]["Aquila"]["forum.organisation"]
    other = world["forums"]["Borealis"]["forum.organisation"]
    admin_user = world["people"]["superuser"]
    client.force_login(admin_user)
    url = _url(Organisation, "change", company.pk)

    before = _snapshot(Organisation, company)
    taken = other.organisationsnummer.replace("-", "")
    response = client.post(url, _organisation_form(company, organisationsnummer=taken), HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert "organisationsnummer" in response.content.decode().lower()
    assert _snapshot(Organisation, company) == before

    digits = valid_organisationsnummer(987654)  # ten digits; typed here with the century, 16
    response = client.post(url, _organisation_form(company, name="Omdöpt AB", organisationsnummer=f"16{digits}"))
    assert response.status_code == 302, response.content.decode()[:3000]
    company.refresh_from_db()
    assert (company.name, company.organisationsnummer) == ("Omdöpt AB", f"{digits[:6]}-{digits[6:]}")
    audit = AuditEvent.objects.get(action="organisation.update", target_id=str(company.pk))
    assert audit.actor == admin_user
    assert audit.data == {"fields": ["name", "organisationsnummer"]}

    # Adding one with a number already in the register, typed differently: a message, no row.
    count = Organisation.objects.count()
    response = client.post(_url(Organisation, "add"), _organisation_form(
        other, name="Dubblett AB", organisationsnummer=other.organisationsnummer.replace("-", " ")),
        HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200
    assert Organisation.objects.count() == count


def test_an_accessibility_report_is_marked_handled_by_an_action_not_a_typed_date(client, world):
    report = world["forums"]["Aquila"]["forum.accessibilityreport"]
    admin_user = world["people"]["superuser"]
    client.force_login(admin_user)
    # The change page shows the report; a typed date is not taken (year 1 broke the list).
    client.post(_url(AccessibilityReport, "change", report.pk),
                {"handled_at_0": "0001-01-01", "handled_at_1": "00:00", "handled_at": "0001-01-01T00:00"})
    report.refresh_from_db()
    assert report.handled_at is None
    response = client.post(_url(AccessibilityReport, "changelist"),
                           {"action": "mark_reports_handled", "_selected_action": [report.pk]})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.handled_at is not None
    assert AuditEvent.objects.filter(action="accessibility.handled", actor=admin_user,
                                     target_id=str(report.pk)).count() == 1
    response = client.post(_url(AccessibilityReport, "changelist"),
                           {"action": "mark_reports_unhandled", "_selected_action": [report.pk]})
    report.refresh_from_db()
    assert report.handled_at is None
    assert AuditEvent.objects.filter(action="accessibility.unhandled", target_id=str(report.pk)).count() == 1
    assert client.get(_url(AccessibilityReport, "changelist")).status_code == 200


@pytest.mark.parametrize("selection", [[""], ["1 "], ["x"], [str(2**64)], ["1", "-1"]])
def test_an_action_on_a_selection_that_names_no_records_changes_nothing(client, world, selection):
    """Django's admin passed the selection to the database unchecked: a value that is no id
    was a server error. Now the changelist says so and nothing changes."""
    report = world["forums"]["Aquila"]["forum.accessibilityreport"]
    client.force_login(world["people"]["superuser"])
    before = _snapshot(AccessibilityReport, report)
    response = client.post(_url(AccessibilityReport, "changelist"),
                           {"action": "mark_reports_handled", "_selected_action": selection, "index": "0"},
                           HTTP_ACCEPT_LANGUAGE="sv", follow=True)
    assert response.status_code == 200
    assert "Urvalet pekar på poster som inte finns. Ingenting har ändrats." in response.content.decode()
    assert _snapshot(AccessibilityReport, report) == before


def test_a_refused_form_with_an_autocomplete_value_that_is_no_id_is_shown_again(client, world):
    person = world["forums"]["Aquila"]["accounts.user"]
    client.force_login(world["people"]["superuser"])
    before = Affiliation.objects.count()
    response = client.post(_url(Affiliation, "add"), {"person": str(person.pk), "organisation": " x", "title": "VD"},
                           HTTP_ACCEPT_LANGUAGE="sv")
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    assert Affiliation.objects.count() == before


def test_focus_areas_from_a_tampered_or_stale_page_are_refused(client, world):
    """The focus-area inline's count of existing rows is what the page showed; when it does
    not match the forum's (negative, or another coordinator added one meanwhile) the forms no
    longer match the rows: refused with a message instead of a clash in the database."""
    aquila = world["forums"]["Aquila"]["forum"]
    client.force_login(world["people"]["coordinator:Aquila"])
    before = _snapshot(Forum, aquila), list(aquila.focus_areas.values())
    areas = list(aquila.focus_areas.order_by("position"))
    tampered = [{"focus_areas-INITIAL_FORMS": initial} for initial in ("-9223372036854775808", "0", "2")]
    tampered.append({"focus_areas-1-id": str(areas[2].pk)})  # one area named twice
    for changes in tampered:
        response = client.post(_url(Forum, "change", aquila.pk), _forum_form(aquila, **changes),
                               HTTP_ACCEPT_LANGUAGE="sv")
        assert response.status_code == 200
        assert "Fokusområdena har ändrats sedan du öppnade sidan." in response.content.decode()
    assert (_snapshot(Forum, aquila), list(aquila.focus_areas.values())) == before


# --- admin actions --------------------------------------------------------------------------
def test_requeue_only_the_users_forums_failed_mail(client, world):
    messages = [world["forums"][tag]["forum.outboxmessage"] for tag in TAGS]
    account_mail = forum_services.mail_queue_rendered(to="konto@example.se", subject="Kod", body_text="1234",
                                                      language="sv")
    everything = [*messages, account_mail]
    OutboxMessage.objects.filter(pk__in=[m.pk for m in everything]).update(status=OutboxMessage.Status.FAILED)
    coordinator = world["people"]["coordinator:Aquila"]
    client.force_login(coordinator)
    html = client.get(_url(OutboxMessage, "changelist")).content.decode()
    assert _url(OutboxMessage, "change", account_mail.pk) not in html  # mail about no forum
    response = client.post(_url(OutboxMessage, "changelist"),
                           {"action": "requeue_messages", "_selected_action": [m.pk for m in everything]})
    assert response.status_code == 302
    statuses = dict(OutboxMessage.objects.filter(pk__in=[m.pk for m in everything]).values_list("pk", "status"))
    assert statuses == {messages[0].pk: "queued", messages[1].pk: "failed", account_mail.pk: "failed"}
    audit = AuditEvent.objects.get(action="outbox.requeue")
    assert audit.actor == coordinator and audit.forum == world["forums"]["Aquila"]["forum"]

    # Without Django's change permission on outgoing mail the action is not offered at all.
    Group.objects.get(name=COORDINATOR_GROUP).permissions.remove(Permission.objects.get(codename="change_outboxmessage"))
    coordinator = User.objects.get(pk=coordinator.pk)  # no cached permissions
    client.force_login(coordinator)
    OutboxMessage.objects.filter(pk=messages[0].pk).update(status=OutboxMessage.Status.FAILED)
    client.post(_url(OutboxMessage, "changelist"), {"action": "requeue_messages", "_selected_action": [messages[0].pk]})
    assert OutboxMessage.objects.get(pk=messages[0].pk).status == OutboxMessage.Status.FAILED


def test_coordinator_confirms_representations_but_does_not_edit_them(client, world):
    affiliation = world["forums"]["Aquila"]["forum.affiliation"]
    coordinator = world["people"]["coordinator:Borealis"]  # representations are portal-wide
    client.force_login(coordinator)
    response = client.post(_url(Affiliation, "change", affiliation.pk), {"title": "Ändrad"})
    assert response.status_code == 403
    response = client.post(_url(Affiliation, "changelist"),
                           {"action": "confirm_affiliations", "_selected_action": [affiliation.pk]})
    assert response.status_code == 302
    affiliation.refresh_from_db()
    assert affiliation.is_confirmed and affiliation.title == "VD Aquila"
    assert AuditEvent.objects.filter(action="affiliation.confirm", actor=coordinator,
                                     target_id=str(affiliation.pk)).count() == 1


# --- admin access comes and goes with the coordinator role ---------------------------------
@pytest.mark.django_db
def test_coordinator_role_brings_and_takes_admin_access():
    first, second = make_forum(), make_forum(name="Forum Lund", slug="forum-lund")
    person = make_user("ny@example.se")
    forum_services.role_grant(actor=None, forum=first, user=person, role=Role.FACILITATOR)
    person.refresh_from_db()
    assert not person.is_staff and not person.groups.exists()

    role_a = forum_services.role_grant(actor=None, forum=first, user=person, role=Role.COORDINATOR)
    assert person.is_staff  # the caller's copy too
    person.refresh_from_db()
    assert person.is_staff and list(person.groups.values_list("name", flat=True)) == [COORDINATOR_GROUP]
    assert AuditEvent.objects.filter(action="forum.admin_access_grant", forum=first,
                                     target_id=str(person.pk)).count() == 1
    role_b = forum_services.role_grant(actor=None, forum=second, user=person, role=Role.COORDINATOR)
    # Nothing new to give, so no second row.
    assert AuditEvent.objects.filter(action="forum.admin_access_grant", target_id=str(person.pk)).count() == 1

    forum_services.role_revoke(actor=None, forum_role=role_a)
    person.refresh_from_db()
    assert person.is_staff and person.groups.filter(name=COORDINATOR_GROUP).exists()  # still coordinates Lund
    forum_services.role_revoke(actor=None, forum_role=role_b)
    person.refresh_from_db()
    assert not person.is_staff and not person.groups.exists()
    assert ForumRole.objects.filter(user=person, role=Role.FACILITATOR).exists()
    assert AuditEvent.objects.filter(action="forum.admin_access_revoke", forum=second,
                                     target_id=str(person.pk)).count() == 1

    # Staff for another reason (the administrator, or another group) stays staff.
    admin_user = User.objects.create_superuser("chef@example.se", "Admin-lösen-123")
    other = make_user("annan@example.se", is_staff=True)
    other.groups.add(Group.objects.create(name="Tillgänglighet"))
    for user in (admin_user, other):
        role = forum_services.role_grant(actor=None, forum=first, user=user, role=Role.COORDINATOR)
        forum_services.role_revoke(actor=None, forum_role=role)
        user.refresh_from_db()
        assert user.is_staff and not user.groups.filter(name=COORDINATOR_GROUP).exists()


@pytest.mark.django_db
def test_the_group_is_made_again_when_missing():
    """After a flush (or a deletion by hand) the first coordinator grant makes the group again,
    with its permissions."""
    Group.objects.filter(name=COORDINATOR_GROUP).delete()
    forum = make_forum()
    person = make_user("ny@example.se")
    forum_services.role_grant(actor=None, forum=forum, user=person, role=Role.COORDINATOR)
    group = Group.objects.get(name=COORDINATOR_GROUP)
    assert group.permissions.filter(codename="view_meeting").exists()
    assert person.groups.filter(pk=group.pk).exists()


def test_forum_mail_is_tied_to_its_forum(world):
    """Mail from the booking and the issue services names the forum (so its coordinators see
    it in the admin); account mail names none."""
    for tag in TAGS:
        forum = world["forums"][tag]["forum"]
        templates = set(OutboxMessage.objects.filter(forum=forum).values_list("template", flat=True))
        assert {"events/invitation", "issues/status_changed"} <= templates, templates
    assert not OutboxMessage.objects.filter(forum__isnull=True).exclude(template__startswith="accessibility").exists()


def test_outbox_changelist_is_bounded_in_queries(client, world, django_assert_max_num_queries):
    """The scoped changelist costs a fixed number of queries, however many rows it lists."""
    coordinator = world["people"]["coordinator:Aquila"]
    forum = world["forums"]["Aquila"]["forum"]
    for n in range(15):
        forum_services.mail_queue_rendered(to=f"m{n}@example.se", subject=f"Rad {n}", body_text="x", language="sv",
                                           forum=forum)
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(_url(OutboxMessage, "changelist"))
    assert response.status_code == 200 and response.content.decode().count("Rad ") >= 15
