"""A functional administrator adds and changes the people of their own organisations in /beheer/.

domain.md, "Who sees what": the functional administrator manages the organisation, users and
settings of their own organisation and sees no case data. They never give staff status, superuser
status, groups or permissions: with those anyone could be raised above their organisation.
"""

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.urls import reverse

from routearbeid.accounts.tests.helpers import PASSWORD, password_login
from routearbeid.core.demo import ADMIN_PERMISSIONS
from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import Membership, User

PRIVILEGES = {"is_superuser", "is_staff", "groups", "user_permissions"}
ADD_URL = reverse("admin:organisations_user_add")


def change_url(user: User) -> str:
    return reverse("admin:organisations_user_change", args=[user.pk])


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


@pytest.fixture
def admin_a(region1):
    """School A's functional administrator with the permissions the demo gives one."""
    user = region1.admin
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="organisations", codename__in=ADMIN_PERMISSIONS
        )
    )
    return user


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser(username="operator", password=PASSWORD)


@pytest.fixture
def escalation(db):
    """What a forged form would try to hand out: a permission and a group that has one."""
    permission = Permission.objects.get(codename="change_region")
    group = Group.objects.create(name="Alles")
    group.permissions.add(permission)
    return {
        "is_superuser": "on",
        "is_staff": "on",
        "user_permissions": [permission.pk],
        "groups": [group.pk],
    }


def memberships(*rows: tuple[Membership | None, int | str, str], initial: int = 0) -> dict:
    """The membership formset's POST data: rows of (existing membership, organisation, role)."""
    data = {
        "memberships-TOTAL_FORMS": str(len(rows)),
        "memberships-INITIAL_FORMS": str(initial),
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
    }
    for i, (existing, organisation, role) in enumerate(rows):
        data[f"memberships-{i}-organisation"] = str(organisation)
        data[f"memberships-{i}-role"] = role
        if existing is not None:
            data[f"memberships-{i}-id"] = str(existing.pk)
            data[f"memberships-{i}-user"] = str(existing.user_id)
    return data


def new_person(username: str = "nieuwe-mentor", **extra) -> dict:
    return {
        "username": username,
        "first_name": "Nieuwe",
        "last_name": "Mentor",
        "email": "nieuw@school.test",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }


def person_data(user: User, **extra) -> dict:
    """The change form of a person as an organisation's administrator sends it, with their
    memberships unchanged."""
    rows = [(m, m.organisation_id, m.role) for m in user.memberships.order_by("pk")]
    return {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        **memberships(*rows, initial=len(rows)),
        **extra,
    }


# --- adding ---------------------------------------------------------------------------------


def test_administrator_adds_a_person_to_their_school_who_can_then_log_in(client, region1, admin_a):
    client.force_login(admin_a)
    response = client.post(
        ADD_URL,
        new_person() | memberships((None, region1.school.pk, Role.MENTOR)),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    person = User.objects.get(username="nieuwe-mentor")
    assert (person.first_name, person.email) == ("Nieuwe", "nieuw@school.test")
    assert list(person.memberships.values_list("organisation_id", "role")) == [
        (region1.school.pk, Role.MENTOR)
    ]
    assert response["Location"] == change_url(person)  # and they may go on changing them
    assert client.get(change_url(person)).context["has_change_permission"] is True

    # The control: someone who was never added does not get in through the same form.
    assert password_login(Client(), User(username="nobody")).status_code == 200
    newcomer = Client()
    login = password_login(newcomer, person)
    assert login.status_code == 302
    assert login["Location"] == reverse("worklist")
    assert int(newcomer.session["_auth_user_id"]) == person.pk


def test_adding_without_a_membership_is_refused_and_creates_nobody(client, region1, admin_a):
    client.force_login(admin_a)
    before = User.objects.count()
    for formset in (memberships(), memberships((None, "", ""))):  # none, or one left empty
        response = client.post(ADD_URL, new_person() | formset)
        assert response.status_code == 200
        errors = response.context["inline_admin_formsets"][0].formset.non_form_errors()
        assert [e.code for e in errors.as_data()] == ["membership_required"]
        assert "at least one membership" in errors[0] or "minstens één lidmaatschap" in errors[0]
    assert User.objects.count() == before
    assert not User.objects.filter(username="nieuwe-mentor").exists()


def test_a_membership_in_another_organisation_is_refused_when_adding(client, region1, admin_a):
    client.force_login(admin_a)
    response = client.post(
        ADD_URL, new_person() | memberships((None, region1.other_school.pk, Role.MENTOR))
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="nieuwe-mentor").exists()


def test_the_last_membership_cannot_be_removed(client, region1, admin_a):
    """Without it the person drops out of sight; making the account inactive ends access."""
    client.force_login(admin_a)
    mentor = region1.mentor
    data = person_data(mentor, **{"memberships-0-DELETE": "on"})
    response = client.post(change_url(mentor), data)
    assert response.status_code == 200
    assert mentor.memberships.count() == 1

    response = client.post(change_url(mentor), person_data(mentor, is_active=""))
    assert response.status_code == 302
    mentor.refresh_from_db()
    assert not mentor.is_active


# --- no privileges ----------------------------------------------------------------------------


def test_add_and_change_forms_offer_no_privileges(client, region1, admin_a):
    client.force_login(admin_a)
    add = client.get(ADD_URL)
    assert add.status_code == 200
    assert set(add.context["adminform"].form.fields) == {
        "username",
        "password1",
        "password2",
        "first_name",
        "last_name",
        "email",
    }
    change = client.get(change_url(region1.mentor))
    assert change.context["has_change_permission"] is True
    fields = set(change.context["adminform"].form.fields)
    assert {"username", "first_name", "is_active"} <= fields
    for page in (add, change):
        assert PRIVILEGES.isdisjoint(page.context["adminform"].form.fields)
        html = page.content.decode()
        for name in PRIVILEGES:
            assert f'name="{name}"' not in html
        # Django's permission names are stored in English ("Can add user"); none are shown.
        assert "Can add" not in html and "Can change" not in html and "Can view" not in html


def test_privileges_in_a_forged_add_are_ignored(client, region1, admin_a, escalation):
    client.force_login(admin_a)
    data = new_person() | memberships((None, region1.school.pk, Role.MENTOR)) | escalation
    assert client.post(ADD_URL, data).status_code == 302
    person = User.objects.get(username="nieuwe-mentor")
    assert not person.is_staff and not person.is_superuser
    assert not person.user_permissions.exists() and not person.groups.exists()


def test_privileges_in_a_forged_change_are_ignored(client, region1, admin_a, escalation):
    client.force_login(admin_a)
    mentor = region1.mentor
    data = person_data(mentor, first_name="Gewijzigd") | escalation
    assert client.post(change_url(mentor), data).status_code == 302
    mentor.refresh_from_db()
    assert mentor.first_name == "Gewijzigd"  # the control: the form was saved
    assert not mentor.is_staff and not mentor.is_superuser
    assert not mentor.user_permissions.exists() and not mentor.groups.exists()


def test_an_administrator_cannot_raise_themself(client, region1, admin_a, escalation):
    client.force_login(admin_a)
    assert client.get(change_url(admin_a)).context["has_change_permission"] is False
    response = client.post(change_url(admin_a), person_data(admin_a) | escalation)
    assert response.status_code == 403
    admin_a.refresh_from_db()
    assert not admin_a.is_superuser
    assert set(admin_a.user_permissions.values_list("codename", flat=True)) <= set(
        ADMIN_PERMISSIONS
    )
    assert not admin_a.groups.exists()


# --- whom they may change ---------------------------------------------------------------------


def test_a_person_of_another_organisation_cannot_be_opened_or_changed(client, region1, admin_a):
    client.force_login(admin_a)
    other = region1.other_coordinator
    # The admin answers an object outside the queryset with a redirect to its index.
    assert client.get(change_url(other))["Location"] == reverse("admin:index")
    response = client.post(change_url(other), person_data(other, first_name="Gekaapt"))
    assert response.status_code == 302
    assert client.get(password_url(other)).status_code == 404
    response = client.post(
        password_url(other),
        {"password1": "nieuw-wachtwoord-99", "password2": "nieuw-wachtwoord-99"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.first_name != "Gekaapt"
    assert other.check_password("x")


@pytest.mark.parametrize("who", ["superuser", "staff colleague", "also elsewhere"])
def test_people_with_rights_beyond_the_organisation_are_read_only(client, region1, admin_a, who):
    """Changing them (a new password above all) would hand the administrator those rights."""
    person = region1.mentor
    if who == "superuser":
        person.is_superuser = True
        person.save(update_fields=["is_superuser"])
    elif who == "staff colleague":
        person.is_staff = True
        person.save(update_fields=["is_staff"])
    else:
        Membership.objects.create(user=person, organisation=region1.rmc, role=Role.RMC_OFFICER)
    client.force_login(admin_a)
    page = client.get(change_url(person))
    assert page.status_code == 200  # they may see them: they are part of the organisation
    assert page.context["has_change_permission"] is False
    response = client.post(change_url(person), person_data(person, first_name="Gekaapt"))
    assert response.status_code == 403
    new_password = {"password1": "nieuw-wachtwoord-99", "password2": "nieuw-wachtwoord-99"}
    assert client.get(password_url(person)).status_code == 403
    assert client.post(password_url(person), new_password).status_code == 403
    person.refresh_from_db()
    assert person.first_name != "Gekaapt"
    assert person.check_password("x")
    # the control: the same administrator does change a mentor of their own school only
    assert client.get(change_url(region1.coordinator)).context["has_change_permission"] is True


def test_a_person_of_the_own_school_gets_a_new_password(client, region1, admin_a):
    client.force_login(admin_a)
    new_password = {"password1": "nieuw-wachtwoord-99", "password2": "nieuw-wachtwoord-99"}
    assert client.post(password_url(region1.mentor), new_password).status_code == 302
    region1.mentor.refresh_from_db()
    assert region1.mentor.check_password("nieuw-wachtwoord-99")


def test_without_the_right_to_give_memberships_nobody_can_be_added(client, region1, admin_a):
    admin_a.user_permissions.remove(Permission.objects.get(codename="add_membership"))
    client.force_login(admin_a)
    assert client.get(ADD_URL).status_code == 403


def test_a_superuser_still_sees_every_field(client, region1, superuser):
    client.force_login(superuser)
    change = client.get(change_url(region1.mentor))
    assert PRIVILEGES.issubset(change.context["adminform"].form.fields)
    add = client.get(ADD_URL)
    assert add.status_code == 200
    assert "usable_password" in add.context["adminform"].form.fields
    # and may add someone without a membership (the platform's own operators)
    data = {
        "username": "operator-2",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **memberships(),
    }
    assert client.post(ADD_URL, data).status_code == 302
    assert User.objects.filter(username="operator-2").exists()


# --- in Dutch -------------------------------------------------------------------------------


def test_the_admin_speaks_dutch(client, region1, admin_a):
    client.force_login(admin_a)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Route Arbeid – beheer" in index
    assert "Django" not in index
    organisation = client.get(
        reverse("admin:organisations_organisation_change", args=[region1.school.pk])
    ).content.decode()
    assert "Regio:" in organisation
    person = client.get(change_url(region1.mentor)).content.decode()
    assert 'class="column-organisation required">Organisatie' in person  # the memberships


def test_the_missing_membership_message_is_dutch(client, region1, admin_a):
    client.force_login(admin_a)
    response = client.post(ADD_URL, new_person() | memberships())
    assert "Geef deze persoon minstens één lidmaatschap" in response.content.decode()
