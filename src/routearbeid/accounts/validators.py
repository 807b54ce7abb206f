"""The password policy's own wording where Django's Dutch catalog has no translation yet."""

from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django 6.1 changed this message and its nl catalog lacks it; ours is translated."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must be at least %(min_length)d character long.",
            "This password is too short. It must be at least %(min_length)d characters long.",
            self.min_length,
        ) % {"min_length": self.min_length}
