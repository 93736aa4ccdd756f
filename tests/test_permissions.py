"""Every role's permissions, role by role, in the permission functions and through the pages."""
from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from accounts.models import User
from forum import permissions, services
from forum.models import AuditEvent, ForumRole, Role
from tests.factories import make_forum, make_role_holder, make_user


@pytest.fixture
def other_forum():
    return make_forum(municipality="Lund", name="Lundaforum", slug="lund")


@pytest.fixture
def people(forum, partners):
    """One person per role in ``forum``, plus a plain company representative and the admin."""
    result = {"admin": make_user("admin@forum.example", is_staff=True, is_superuser=True),
              "company": make_user("foretag@forum.example")}
    for role in Role.values:
        result[role] = make_role_holder(
            forum, role, partner_organisation=partners[0] if role == Role.PARTNER_NOMINATOR else None,
        )
    return result


CHECKS = {
    "manage_forum": permissions.can_manage_forum,
    "manage_roles": permissions.can_manage_roles,
    "communicate": permissions.can_communicate,
    "facilitate": permissions.can_facilitate,
    "research_data": permissions.can_view_research_data,
    "personal_data": permissions.can_view_personal_data,
}
# Who may do what, per role. Anything not listed is refused.
EXPECTED = {
    "admin": {"manage_forum", "manage_roles", "communicate", "facilitate", "research_data", "personal_data"},
    Role.COORDINATOR: {"manage_forum", "manage_roles", "communicate", "facilitate", "research_data", "personal_data"},
    Role.COMMUNICATOR: {"communicate", "personal_data"},
    Role.PARTNER_NOMINATOR: set(),
    Role.FACILITATOR: {"facilitate", "personal_data"},
    Role.RESEARCHER: {"research_data"},
    "company": set(),
}


@pytest.mark.django_db
@pytest.mark.parametrize("who", list(EXPECTED))
def test_role_matrix(who, people, forum, other_forum):
    user = people[who]
    allowed = {name for name, check in CHECKS.items() if check(user, forum)}
    assert allowed == EXPECTED[who]
    # Roles are per forum: nothing carries over to another forum (except for the admin).
    elsewhere = {name for name, check in CHECKS.items() if check(user, other_forum)}
    assert elsewhere == (EXPECTED[who] if who == "admin" else set())


@pytest.mark.django_db
def test_anonymous_may_only_view(forum):
    anonymous = AnonymousUser()
    assert permissions.can_view_forum(anonymous, forum)
    assert not any(check(anonymous, forum) for check in CHECKS.values())


@pytest.mark.django_db
def test_nominator_only_for_own_partner(people, forum, partners):
    nominator = people[Role.PARTNER_NOMINATOR]
    assert permissions.can_nominate_for(nominator, forum, partners[0])
    assert not permissions.can_nominate_for(nominator, forum, partners[1])
    for who in ("admin", Role.COORDINATOR, Role.COMMUNICATOR, Role.FACILITATOR, Role.RESEARCHER, "company"):
        assert not permissions.can_nominate_for(people[who], forum, partners[0])


@pytest.mark.django_db
def test_inactive_user_has_no_roles(people, forum):
    coordinator = people[Role.COORDINATOR]
    coordinator.is_active = False
    coordinator.save()
    assert not permissions.can_manage_forum(User.objects.get(pk=coordinator.pk), forum)


@pytest.mark.django_db
@pytest.mark.parametrize("who,status", [
    ("admin", 200), (Role.COORDINATOR, 200), (Role.COMMUNICATOR, 403), (Role.PARTNER_NOMINATOR, 403),
    (Role.FACILITATOR, 403), (Role.RESEARCHER, 403), ("company", 403),
])
def test_roles_page_access(client, people, forum, who, status):
    client.force_login(people[who])
    assert client.get(reverse("forum:forum_roles", args=[forum.slug])).status_code == status


@pytest.mark.django_db
def test_roles_page_requires_login(client, forum):
    response = client.get(reverse("forum:forum_roles", args=[forum.slug]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


@pytest.mark.django_db
def test_coordinator_grants_and_revokes_role(client, people, forum, partners):
    coordinator = people[Role.COORDINATOR]
    newcomer = make_user("ny@forum.example")
    client.force_login(coordinator)
    url = reverse("forum:forum_roles", args=[forum.slug])
    response = client.post(
        url, {"email": "ny@forum.example", "role": Role.PARTNER_NOMINATOR, "partner_organisation": ""}
    )
    assert response.status_code == 400
    assert "Välj den partnerorganisation" in response.content.decode()
    assert not ForumRole.objects.filter(user=newcomer).exists()

    response = client.post(url, {"email": "okand@forum.example", "role": Role.RESEARCHER})
    assert response.status_code == 400
    assert "har inget konto" in response.content.decode()

    response = client.post(url, {"email": "ny@forum.example", "role": Role.PARTNER_NOMINATOR,
                                 "partner_organisation": partners[1].pk})
    assert response.status_code == 302
    granted = ForumRole.objects.get(user=newcomer)
    assert granted.partner_organisation == partners[1]
    assert AuditEvent.objects.filter(action="forum.role_grant", actor=coordinator, target_id=str(granted.pk)).exists()

    response = client.post(reverse("forum:forum_role_revoke", args=[forum.slug, granted.pk]))
    assert response.status_code == 302
    assert not ForumRole.objects.filter(user=newcomer).exists()
    assert AuditEvent.objects.filter(action="forum.role_revoke", actor=coordinator).exists()


@pytest.mark.django_db
def test_coordinator_cannot_revoke_in_other_forum(client, people, forum, other_forum):
    stranger = make_user("lund@forum.example")
    role = services.role_grant(actor=None, forum=other_forum, user=stranger, role=Role.RESEARCHER)
    client.force_login(people[Role.COORDINATOR])
    response = client.post(reverse("forum:forum_role_revoke", args=[other_forum.slug, role.pk]))
    assert response.status_code == 403
    response = client.post(reverse("forum:forum_role_revoke", args=[forum.slug, role.pk]))
    assert response.status_code == 404
    assert ForumRole.objects.filter(pk=role.pk).exists()


@pytest.mark.django_db
def test_partner_nominator_needs_partner_organisation(forum):
    user = make_user("x@forum.example")
    with pytest.raises(services.RoleError):
        services.role_grant(actor=None, forum=forum, user=user, role=Role.PARTNER_NOMINATOR)


@pytest.mark.django_db
def test_navigation_follows_roles(client, people, forum):
    client.force_login(people[Role.COORDINATOR])
    content = client.get("/").content.decode()
    assert reverse("forum:forum_roles", args=[forum.slug]) in content
    client.force_login(people[Role.RESEARCHER])
    content = client.get("/").content.decode()
    assert reverse("forum:forum_roles", args=[forum.slug]) not in content
    assert forum.get_absolute_url() in content
    assert reverse("admin:index") not in content
    client.force_login(people["admin"])
    assert reverse("admin:index") in client.get("/").content.decode()


@pytest.mark.django_db
def test_admin_only_for_staff(client, people):
    client.force_login(people["company"])
    response = client.get("/admin/")
    assert response.status_code == 302
    client.force_login(people["admin"])
    assert client.get("/admin/").status_code == 200
