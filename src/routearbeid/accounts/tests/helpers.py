"""Helpers for the login tests: a password login through the real form, app codes."""

from __future__ import annotations

from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "lange-zin-als-wachtwoord-42"


def with_password(user, password: str = PASSWORD):
    user.set_password(password)
    user.save(update_fields=["password"])
    return user


def password_login(client: Client, user, password: str = PASSWORD, **extra):
    """The first login step through the login page (django-axes sees a real request)."""
    return client.post("/inloggen/", {"username": user.username, "password": password}, **extra)


def app_for(user) -> TOTPDevice:
    """A confirmed authenticator app for this user."""
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def code(device: TOTPDevice, *, later: int = 0) -> str:
    """What the app shows now, or `later` periods (of 30 seconds) from now."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=later)
    return f"{value:06d}"
