"""The demo region has a privacy officer and exchange records on both legal bases."""

from routearbeid.core.demo import DEMO_PASSWORD, demo_region_build
from routearbeid.organisations.constants import Role
from routearbeid.organisations.models import Membership, User
from routearbeid.privacy.selectors import privacy_subjects
from routearbeid.route.models import Handover, Involvement


def test_demo_privacy_officer_and_both_legal_bases(db):
    demo_region_build()
    user = User.objects.get(username="fg")
    assert user.check_password(DEMO_PASSWORD)
    membership = Membership.objects.select_related("organisation").get(user=user)
    assert membership.role == Role.PRIVACY_OFFICER
    assert membership.organisation.name.startswith("ISK Alkmaar")
    assert privacy_subjects(user).exists()
    for model in (Handover, Involvement):
        bases = set(model.objects.values_list("legal_basis", flat=True))
        assert bases == {"legal_task", "consent"}, model
    consented = Involvement.objects.filter(legal_basis="consent")
    assert not consented.filter(consent_given_on__isnull=True).exists()
    assert not consented.filter(consent_given_by="").exists()
