"""The organisation register: organisationsnummer checks and representing a company."""
from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from forum import services
from forum.models import Affiliation, Organisation
from forum.validators import luhn_check_digit, normalise_organisationsnummer
from tests.factories import make_company, make_user


@pytest.mark.pure
@pytest.mark.parametrize(
    "raw,expected",
    [
        ("556036-0793", "556036-0793"),
        ("5560360793", "556036-0793"),
        (" 559123-4561 ", "559123-4561"),
        ("802002-4280", "802002-4280"),  # a non-profit association's number
        ("212000-1355", "212000-1355"),  # a public authority's number
        ("556036–0793", "556036-0793"),  # en dash, as word processors write it
        ("556 036 0793", "556036-0793"),
        ("556036 - 0793", "556036-0793"),
        ("16556036-0793", "556036-0793"),  # the 12-digit form with the "century" 16
        ("165560360793", "556036-0793"),
        ("811218-9876", "811218-9876"),  # a sole trader: the owner's personal identity number
        ("19811218-9876", "811218-9876"),
        ("811218+9876", "811218-9876"),  # "+" for someone aged 100 or more
    ],
)
def test_valid_organisationsnummer(raw, expected):
    assert normalise_organisationsnummer(raw) == expected


@pytest.mark.pure
@pytest.mark.parametrize(
    "raw,code",
    [
        ("556036-0794", "orgnr_checksum"),
        ("5591234560", "orgnr_checksum"),
        ("55603607", "orgnr_format"),
        ("556036-07931", "orgnr_format"),
        ("55603A-0793", "orgnr_format"),
        ("", "orgnr_format"),
        ("0000000000", "orgnr_unissued"),  # no registry issues it
        ("000000-0000", "orgnr_unissued"),
        ("4560360793", "orgnr_unissued"),  # group digit 4 is not used
        ("0560360795", "orgnr_unissued"),  # nor group digit 0
        ("811318-9876", "orgnr_unissued"),  # month 13
        ("810230-9876", "orgnr_unissued"),  # 30 February
        ("20556036-0793", "orgnr_unissued"),  # a company's number with a birth century
        ("16811218-9876", "orgnr_unissued"),  # a personal number with the companies' prefix
        ("1655603607931", "orgnr_format"),
    ],
)
def test_invalid_organisationsnummer(raw, code):
    with pytest.raises(ValidationError) as error:
        normalise_organisationsnummer(raw)
    assert error.value.code == code


@pytest.mark.pure
def test_check_digit_helper_agrees_with_validator():
    for first_nine in ("559000001", "559123456", "802002428", "556036079"):
        number = first_nine + luhn_check_digit(first_nine)
        assert normalise_organisationsnummer(number) == f"{number[:6]}-{number[6:]}"


@pytest.mark.django_db
def test_organisationsnummer_is_unique_in_the_database():
    make_company("Limhamns Bageri AB", organisationsnummer="5591234561", sni="C")
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind="company", name="Kopia AB", organisationsnummer="559123-4561",
                                    sni_section="C", size_class="0-9")


@pytest.mark.django_db
def test_company_must_have_number_industry_and_size():
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.create(kind="company", name="Utan nummer AB", sni_section="C", size_class="0-9")


@pytest.fixture
def person(client):
    user = make_user("rep@forum.example", first_name="Rut")
    client.force_login(user)
    return user


def _new_company(**overrides: str) -> dict[str, str]:
    """The form a person fills in to represent a company new to the register."""
    return {"organisationsnummer": "5591234561", "title": "VD", "name": "Möllans Café AB",
            "sni_section": "I", "size_class": "0-9", "postcode": "214 21", "district": "Innerstaden",
            **overrides}


@pytest.mark.django_db
def test_bad_organisationsnummer_gets_a_clear_message_and_changes_nothing(client, person):
    response = client.post(reverse("accounts:organisations"), _new_company(organisationsnummer="559123-4560"))
    assert response.status_code == 400
    content = response.content.decode()
    assert "Kontrollsiffran stämmer inte" in content
    assert 'value="Möllans Café AB"' in content  # nothing the user typed is lost
    assert not Organisation.objects.exists()
    assert not Affiliation.objects.exists()


@pytest.mark.django_db
def test_new_company_makes_a_confirmed_representative(client, person):
    response = client.post(reverse("accounts:organisations"), _new_company(postcode="21421"))
    assert response.status_code == 302
    organisation = Organisation.objects.get()
    assert organisation.organisationsnummer == "559123-4561"
    affiliation = Affiliation.objects.get(person=person)
    assert affiliation.is_confirmed and affiliation.title == "VD"


@pytest.mark.django_db
def test_new_company_needs_industry_and_size(client, person):
    response = client.post(reverse("accounts:organisations"), {"organisationsnummer": "5591234561", "title": "VD"})
    assert response.status_code == 400
    content = response.content.decode()
    assert "Ange företagets namn" in content
    assert "Välj företagets bransch" in content
    assert not Organisation.objects.exists()


@pytest.mark.django_db
def test_existing_company_waits_for_confirmation(client, person):
    company = make_company("Västra Hamnen Digital AB", organisationsnummer="559123-4561", size="10-49")
    response = client.post(reverse("accounts:organisations"),
                           {"organisationsnummer": "559123-4561", "title": "Säljchef"})
    assert response.status_code == 302
    affiliation = Affiliation.objects.get(person=person, organisation=company)
    assert not affiliation.is_confirmed
    assert Organisation.objects.count() == 1
    # The message says the confirmation is still to come, not that it is done.
    page = client.get(response["Location"]).content.decode()
    assert re.search("Forumets personal kommer att kontrollera att du företräder organisationen och sedan bekräfta "
                     "det|The forum&#x27;s staff will check that you represent it and then confirm it", page)


@pytest.mark.django_db
def test_a_person_may_represent_several(client, person):
    for number, name in (("5591234561", "Ett AB"), ("5590000005", "Två AB")):
        client.post(
            reverse("accounts:organisations"),
            _new_company(organisationsnummer=number, name=name, title="Styrelseledamot"),
        )
    assert Affiliation.objects.filter(person=person).count() == 2
    assert "Ett AB" in client.get(reverse("accounts:organisations")).content.decode()


@pytest.mark.django_db
def test_cannot_remove_someone_elses_affiliation(client, person):
    other = make_user("annan@forum.example")
    company = make_company("Annans AB", organisationsnummer="559123-4561", size="10-49")
    affiliation = services.affiliation_create(
        actor=None, person=other, organisation=company, title="VD", confirmed=True
    )
    response = client.post(reverse("accounts:affiliation_remove", args=[affiliation.pk]))
    assert response.status_code == 403
    assert Affiliation.objects.filter(pk=affiliation.pk).exists()


@pytest.mark.pure
def test_sole_traders_are_recognised_by_their_personal_identity_number():
    from forum.validators import is_personal_identity_number

    assert is_personal_identity_number("811218-9876")
    assert not is_personal_identity_number("556036-0793")
    assert not is_personal_identity_number(None)


@pytest.mark.django_db
def test_a_sole_traders_number_is_masked_in_staff_lists(client, forum):
    from events.models import Meeting
    from forum.models import Role
    from tests.factories import make_meeting, make_role_holder

    sole = make_company("Anna Svensson Design", organisationsnummer="811218-9876", sni="M")
    assert sole.is_sole_trader and sole.masked_organisationsnummer == "811218-****"
    meeting = make_meeting(forum)
    meeting.status = Meeting.Status.PUBLISHED
    meeting.save()
    client.force_login(make_role_holder(forum, Role.COORDINATOR, "samordnare@example.se"))
    page = client.get(reverse("events:invite", args=[meeting.pk]), {"q": "Anna Svensson"}).content.decode()
    assert "Anna Svensson Design" in page
    assert "811218-9876" not in page and "811218-****" in page
