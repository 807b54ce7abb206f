"""The management screens (/beheer/) show a functional administrator only their own organisation.

domain.md, "Who sees what": the functional administrator manages the organisation, users and
settings of their own organisation and sees no case data.
"""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from routearbeid.core.demo import ADMIN_PERMISSIONS
from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import Membership
from routearbeid.tests.people import Region1


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
def region2(db):
    return Region1.build("Regio Twee")


def test_user_list_holds_only_people_of_the_own_organisation(client, region1, region2, admin_a):
    client.force_login(admin_a)
    page = client.get(reverse("admin:organisations_user_changelist"))
    assert page.status_code == 200
    shown = {u.username for u in page.context["cl"].result_list}
    assert region1.coordinator.username in shown
    assert region1.mentor.username in shown
    assert region1.other_coordinator.username not in shown  # school B, same region
    assert region2.coordinator.username not in shown  # another region


def test_another_organisations_user_cannot_be_opened(client, region1, admin_a):
    client.force_login(admin_a)
    url = reverse("admin:organisations_user_change", args=[region1.other_coordinator.pk])
    response = client.get(url)
    # The admin answers a missing object with a redirect to its index and a message.
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")


def test_organisations_and_regions_are_only_the_own(client, region1, region2, admin_a):
    client.force_login(admin_a)
    orgs = client.get(reverse("admin:organisations_organisation_changelist")).context["cl"]
    assert [o.pk for o in orgs.result_list] == [region1.school.pk]
    regions = client.get(reverse("admin:organisations_region_changelist")).context["cl"]
    assert [r.pk for r in regions.result_list] == [region1.region.pk]
    other = client.get(reverse("admin:organisations_region_change", args=[region2.region.pk]))
    assert other.status_code == 302


def test_a_membership_in_another_organisation_cannot_be_given(client, region1, admin_a):
    client.force_login(admin_a)
    url = reverse("admin:organisations_user_change", args=[region1.mentor.pk])
    form = client.get(url).context["inline_admin_formsets"][0].formset.forms[0]
    choices = {int(v.value) for v, _label in form.fields["organisation"].choices if v}
    assert choices == {region1.school.pk}


def test_case_workers_and_privacy_officers_do_not_get_in(client, region1):
    for user in (region1.coordinator, region1.privacy_officer):
        client.force_login(user)
        response = client.get(reverse("admin:index"))
        assert response.status_code == 302
        assert "/beheer/login/" in response["Location"] or "/inloggen/" in response["Location"]
    assert not Membership.objects.filter(
        user=region1.admin, role__in=[Role.SCHOOL_COORDINATOR, Role.MENTOR]
    ).exists()


def test_region_settings_are_read_only_for_an_organisations_administrator(client, region1, admin_a):
    """The region's settings (retention, aftercare) hold for every organisation in the region."""
    admin_a.user_permissions.add(Permission.objects.get(codename="change_region"))
    client.force_login(admin_a)
    url = reverse("admin:organisations_region_change", args=[region1.region.pk])
    assert client.get(url).status_code == 200  # they may read them
    response = client.post(url, {"name": region1.region.name, "retention_years": 0})
    assert response.status_code == 403
    region1.region.refresh_from_db()
    assert region1.region.retention_years == 2


def test_the_municipality_of_the_own_organisation_cannot_be_changed(client, region1, admin_a):
    client.force_login(admin_a)
    url = reverse("admin:organisations_organisation_change", args=[region1.school.pk])
    form = client.get(url).context["adminform"]
    assert "municipality" in form.readonly_fields


def test_retention_of_zero_years_is_refused(region1):
    from django.core.exceptions import ValidationError

    region1.region.retention_years = 0
    with pytest.raises(ValidationError):
        region1.region.full_clean()
