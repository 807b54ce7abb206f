"""A real SMTP server on 127.0.0.1 (aiosmtpd) that a test can stop and start again on the same
port, with Django's MAILERS pointed at it, and helpers that give the test people e-mail."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import socket
import uuid
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from routearbeid.aftercare.constants import SignalStatus
from routearbeid.aftercare.models import Signal
from routearbeid.core.dates import today

# aiosmtpd logs every SMTP command at INFO; keep test output readable.
logging.getLogger("mail.log").setLevel(logging.WARNING)


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: email.message.EmailMessage

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()

    @property
    def text(self) -> str:
        return self.message.get_body(preferencelist=("plain",)).get_content()

    @property
    def html(self) -> str:
        part = self.message.get_body(preferencelist=("html",))
        return part.get_content() if part else ""


@dataclass
class Mailbox:
    """Collects what the server accepted (the handler runs in the server's thread)."""

    received: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class SmtpServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def received(self) -> list[Received]:
        return self.mailbox.received


@pytest.fixture
def smtp_server(settings):
    """A running SMTP server; the mailers send to it over a real socket."""
    server = SmtpServer()
    server.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5},
        }
    }
    settings.DEFAULT_FROM_EMAIL = "Route Arbeid <noreply@routearbeid.test>"
    settings.ROUTEARBEID_BASE_URL = "https://routearbeid.test"
    yield server
    server.stop()


def give_email(*users) -> None:
    for user in users:
        user.email = f"{user.username}@mail.test"
        user.save(update_fields=["email"])


def open_signal(case, *, kind, organisation, person=None, due_in_days: int = 14) -> Signal:
    """An open signal as the aftercare services leave it (test set-up for kinds raised by date)."""
    return Signal.objects.create(
        case=case,
        kind=kind,
        rule_id="",
        organisation=organisation,
        person=person,
        status=SignalStatus.OPEN,
        raise_on=today(),
        due_on=today() + dt.timedelta(days=due_in_days),
        raised_at=timezone.now(),
        message="Test signal",
        key=f"test-{uuid.uuid4().hex}",
    )
