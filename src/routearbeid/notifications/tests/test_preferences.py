"""The e-mail settings page (/instellingen/meldingen/): everyone sets only their own."""

from __future__ import annotations

from django.urls import reverse

from routearbeid.notifications import services
from routearbeid.notifications.constants import EmailMode
from routearbeid.notifications.models import NotificationPreference

URL = reverse("notifications:preferences")


def test_default_is_urgent_at_once_and_the_rest_daily(client, region1):
    client.force_login(region1.coordinator)
    page = client.get(URL).content.decode()
    assert 'value="urgent_digest" id="id_email_mode_0" checked' in page
    assert "Dringende signalen direct" in page
    assert services.email_mode_of(region1.coordinator) == EmailMode.URGENT_AND_DIGEST


def test_saving_a_choice_changes_only_my_preference(client, region1):
    client.force_login(region1.coordinator)
    response = client.post(URL, {"email_mode": "digest"})
    assert response.status_code == 302
    assert services.email_mode_of(region1.coordinator) == EmailMode.DIGEST_ONLY
    assert services.email_mode_of(region1.mentor) == EmailMode.URGENT_AND_DIGEST
    assert "Je e-mailinstellingen zijn opgeslagen." in client.get(URL).content.decode()


def test_bad_input_shows_a_dutch_message_and_changes_nothing(client, region1):
    client.force_login(region1.coordinator)
    response = client.post(URL, {"email_mode": "every-hour"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Kies hoe je e-mail wilt krijgen." in page
    assert 'role="alert"' in page
    assert not NotificationPreference.objects.exists()


def test_page_says_when_there_is_no_address(client, region1):
    client.force_login(region1.coordinator)
    assert "Bij je account staat geen e-mailadres" in client.get(URL).content.decode()
    region1.coordinator.email = "sanne@school.test"
    region1.coordinator.save()
    assert "sanne@school.test" in client.get(URL).content.decode()
