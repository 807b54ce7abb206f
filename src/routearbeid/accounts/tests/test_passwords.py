"""Passwords: hashed with Argon2, checked against the policy, with Dutch messages."""

import pytest
from django.contrib.auth.hashers import make_password

from routearbeid.config.settings import base
from routearbeid.organisations.models import User

from .helpers import PASSWORD, password_login, with_password


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_argon2_is_the_first_hasher_and_pbkdf2_stays_for_old_hashes():
    assert base.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in base.PASSWORD_HASHERS


def test_a_new_users_password_is_hashed_with_argon2(db, production_hashers):
    user = User.objects.create_user(username="nieuw", password=PASSWORD)
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_an_old_pbkdf2_hash_is_upgraded_to_argon2_at_login(client, region1, production_hashers):
    user = region1.coordinator
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert password_login(client, user).status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2")


@pytest.mark.parametrize(
    ("new_password", "dutch"),
    [
        ("kort-1", "Dit wachtwoord is te kort. Het moet minstens 12 tekens lang zijn."),
        ("password1234", "Dit wachtwoord is te algemeen."),
        ("739164285017", "Dit wachtwoord bevat alleen cijfers."),
        ("coordinator-a-2", "Het wachtwoord lijkt te veel op de gebruikersnaam."),
    ],
)
def test_a_weak_password_is_refused_with_a_dutch_message(client, region1, new_password, dutch):
    user = with_password(region1.coordinator)
    user.username = "coordinator-a"
    user.save(update_fields=["username"])
    client.force_login(user)
    response = client.post(
        "/account/wachtwoord/",
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert dutch in page
    assert 'aria-invalid="true"' in page
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_good_password_is_changed_and_this_session_stays(client, region1):
    user = with_password(region1.coordinator)
    client.force_login(user)
    new = "paars-konijn-fietst-naar-huis"
    response = client.post(
        "/account/wachtwoord/",
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get("/werkvoorraad/").status_code == 200


def test_a_wrong_old_password_changes_nothing(client, region1):
    user = with_password(region1.coordinator)
    client.force_login(user)
    new = "paars-konijn-fietst-naar-huis"
    response = client.post(
        "/account/wachtwoord/", {"old_password": "fout", "new_password1": new, "new_password2": new}
    )
    assert response.status_code == 200
    assert "Uw oude wachtwoord is niet juist ingevoerd" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
