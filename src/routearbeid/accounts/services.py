"""Login security: two-factor devices, recovery codes and ending every session of a user."""

from __future__ import annotations

import re
from base64 import b32encode

import django_otp
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from routearbeid.core.errors import DomainError
from routearbeid.organisations.models import User

from .constants import RECOVERY_CODE_COUNT

TOTP_CODE = re.compile(r"^\d{6}$")
WRONG_CODE = _("This code is not right. Check the code and try again.")
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"


class CodeRefused(DomainError):
    """A two-factor code that does not match (or came too quickly after wrong ones)."""


def two_factor_required(user: User) -> bool:
    """Whether this user must give a code after the password: always when the setting is on,
    and also for anyone who set up an app themselves."""
    return bool(settings.ROUTEARBEID_REQUIRE_2FA) or django_otp.user_has_device(user)


def totp_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@transaction.atomic
def two_factor_enrol_start(*, actor: User) -> TOTPDevice:
    """The unconfirmed app device to set up; the same one until it is confirmed."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=APP_DEVICE_NAME, confirmed=False)
    return device


def two_factor_enrol_confirm(*, actor: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the app with its first code; the app replaces any earlier one and new
    recovery codes replace the old ones. Returns the device and the recovery codes."""
    # A wrong code is counted (throttling) in its own transaction, so raising cannot undo it.
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=actor, confirmed=False)
            .order_by("pk")
            .first()
        )
        refused = (
            _("Start the set-up again: open this page once more.")
            if device is None
            else _refusal(device, code)
        )
    if refused is not None or device is None:
        raise CodeRefused(refused or "")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=actor).exclude(pk=device.pk).delete()
        return device, recovery_codes_regenerate(actor=actor)


@transaction.atomic
def recovery_codes_regenerate(*, actor: User) -> list[str]:
    """Ten new single-use recovery codes; every earlier code stops working."""
    StaticDevice.objects.filter(user=actor).delete()
    device = StaticDevice.objects.create(user=actor, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(*, actor: User) -> int:
    return StaticToken.objects.filter(device__user=actor, device__confirmed=True).count()


def two_factor_verify(*, actor: User, code: str) -> Device:
    """The device that accepts this code: six digits go to the app, anything else is tried as
    a recovery code (which is used up). Raises CodeRefused otherwise."""
    code = "".join(code.split()).lower()
    model: type[Device] = TOTPDevice if TOTP_CODE.match(code) else StaticDevice
    refused: Promise | None = WRONG_CODE
    # Failed attempts are counted on the device (throttling) and must be committed, so the
    # transaction ends before anything is raised.
    with transaction.atomic():
        for device in model.objects.select_for_update().filter(user=actor, confirmed=True):
            refused = _refusal(device, code)
            if refused is None:
                return device
    raise CodeRefused(refused or WRONG_CODE)


def _refusal(device: Device, code: str) -> Promise | None:
    """None when the device accepts the code, otherwise the reason for the person."""
    allowed, data = device.verify_is_allowed()
    if not allowed and data and data.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        return _("Too many wrong codes in a row. Wait a moment and try again.")
    if not device.verify_token(code):
        return WRONG_CODE
    return None


@transaction.atomic
def user_sessions_end(*, actor: User) -> None:
    """Log out everywhere: every session of this user, on every device, stops being valid."""
    User.objects.filter(pk=actor.pk).update(session_generation=F("session_generation") + 1)
    actor.refresh_from_db(fields=["session_generation"])
