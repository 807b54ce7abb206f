"""The youth's own report page (/melden/<token>/): links, reports, rate limits, what the youth
sees about themselves, and the languages (R-NZ-4)."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re

import pytest
import time_machine

from routearbeid.aftercare.constants import ReportChannel
from routearbeid.aftercare.models import SelfReport, Signal
from routearbeid.core.errors import DomainError, NotFound, PermissionDenied
from routearbeid.core.phone import phone_clean
from routearbeid.organisations.actors import as_actor
from routearbeid.portal import ratelimit, services
from routearbeid.portal.models import PortalLink, RateCount
from routearbeid.processing_log.models import ProcessingLogRecord
from routearbeid.route.constants import Stage
from routearbeid.route.models import TimelineEvent

pytestmark = pytest.mark.django_db


def in_aftercare(region1):
    case = region1.ready_for_outflow()
    region1.outflow(case)
    case.refresh_from_db()
    assert case.stage == Stage.AFTERCARE
    return case


def url(token: str) -> str:
    return f"/melden/{token}/"


@pytest.fixture
def youth(region1):
    case = in_aftercare(region1)
    new = services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)
    return case, new.token


# --- links -------------------------------------------------------------------------------------


def test_token_is_long_random_and_stored_only_as_its_sha256(region1):
    case = in_aftercare(region1)
    new = services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)
    assert len(new.token) >= 43
    link = PortalLink.objects.get(case=case)
    assert link.token_hash == hashlib.sha256(new.token.encode()).hexdigest()
    stored = " ".join(str(v) for v in PortalLink.objects.values_list().get())
    assert new.token not in stored
    other = services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)
    assert other.token != new.token


def test_only_the_youths_school_makes_or_revokes_a_link(region1):
    case = in_aftercare(region1)
    services.portal_link_renew(actor=region1.mentor, case_id=case.pk)  # the school's mentor may
    with pytest.raises(PermissionDenied):
        services.portal_link_renew(actor=region1.work_service_manager, case_id=case.pk)
    with pytest.raises(NotFound):
        services.portal_link_renew(actor=region1.other_coordinator, case_id=case.pk)
    with pytest.raises(PermissionDenied):
        services.portal_link_revoke(actor=region1.work_service_manager, case_id=case.pk)
    assert PortalLink.objects.filter(case=case, revoked_at__isnull=True).count() == 1


def test_no_link_before_the_handover(region1):
    case = region1.open_case()
    with pytest.raises(DomainError):
        services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)


def test_renew_revokes_the_old_link_and_the_old_address_is_a_plain_404(client, youth, region1):
    case, old = youth
    assert client.get(url(old)).status_code == 200
    new = services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)
    assert PortalLink.objects.filter(case=case, revoked_at__isnull=True).count() == 1
    revoked = client.get(url(old))
    never = client.get(url("x" * 43))
    assert revoked.status_code == never.status_code == 404
    # no hint whether the token ever existed: the same page, word for word
    assert revoked.content.replace(old.encode(), b"T") == never.content.replace(b"x" * 43, b"T")
    assert client.get(url(new.token)).status_code == 200


def test_revoke_makes_the_link_404(client, youth, region1):
    case, token = youth
    services.portal_link_revoke(actor=region1.coordinator, case_id=case.pk)
    assert client.get(url(token)).status_code == 404
    with pytest.raises(DomainError):
        services.portal_link_revoke(actor=region1.coordinator, case_id=case.pk)


def test_r_end_2_making_and_revoking_a_link_are_on_the_timeline(youth, region1):
    case, _token = youth
    services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)
    services.portal_link_revoke(actor=region1.coordinator, case_id=case.pk)
    kinds = list(
        TimelineEvent.objects.filter(case=case, kind__startswith="portal_link")
        .order_by("id")
        .values_list("kind", "actor")
    )
    made = [k for k in kinds if k[0] == "portal_link_made"]
    assert made and all(actor == region1.coordinator.pk for _kind, actor in kinds)
    assert kinds[-1] == ("portal_link_revoked", region1.coordinator.pk)


# --- reports (R-NZ-4) --------------------------------------------------------------------------


def test_R_NZ_4_a_portal_report_reaches_the_school_coordinators_worklist(client, youth, region1):
    case, token = youth
    response = client.post(
        url(token),
        {
            "kind": "problems_at_work",
            "message": "Mijn baas is boos.",
            "contact_phone": "06-1234 5678",
        },
    )
    assert response.status_code == 302
    assert response["Location"].startswith(f"/melden/{token}/bedankt/")
    report = SelfReport.objects.get(case=case)
    assert report.channel == ReportChannel.PORTAL
    assert report.kind == "problems_at_work"
    assert report.contact_phone == "0612345678"
    assert report.recorded_by is None
    signal = Signal.objects.get(case=case, rule_id="R-NZ-4")
    assert signal.organisation == region1.school
    # not about the job: the work service is not signalled
    assert not Signal.objects.filter(case=case, organisation=region1.work_service).exists()
    client.force_login(region1.coordinator)
    worklist = client.get("/werkvoorraad/").content.decode()
    assert case.student.full_name in worklist or case.student.last_name in worklist
    assert "Problems at work" in worklist or "Problemen op het werk" in worklist


def test_R_NZ_4_a_lost_job_also_signals_the_work_service(client, youth, region1):
    case, token = youth
    assert client.post(url(token), {"kind": "lost_job"}).status_code == 302
    assert Signal.objects.filter(case=case, organisation=region1.school, rule_id="R-NZ-4").exists()
    assert Signal.objects.filter(
        case=case, organisation=region1.work_service, rule_id="R-NZ-4"
    ).exists()
    thanks = client.get(f"/melden/{token}/bedankt/?over=lost_job").content.decode()
    assert region1.school.name in thanks and region1.work_service.name in thanks
    client.force_login(region1.work_service_manager)
    assert case.student.last_name in client.get("/werkvoorraad/").content.decode()


@pytest.mark.parametrize(
    "phone", ["12345", "06 1234", "+31 6 1234 5678 9999 12", "tel: 0612345678", "0031"]
)
def test_a_wrong_phone_number_is_refused_with_a_message_and_nothing_is_stored(client, youth, phone):
    case, token = youth
    response = client.post(url(token), {"kind": "other", "contact_phone": phone})
    assert response.status_code == 200  # errors on the page, not a 4xx (see below)
    assert "Dit telefoonnummer klopt niet." in response.content.decode()
    assert not SelfReport.objects.filter(case=case).exists()
    assert not Signal.objects.filter(case=case, rule_id="R-NZ-4").exists()


def test_phone_numbers_dutch_and_international():
    assert phone_clean("06 12345678") == "0612345678"
    assert phone_clean("072-123 45 67") == "0721234567"
    assert phone_clean("+31 6 12345678") == "+31612345678"
    assert phone_clean("0049 151 2345 6789") == "+4915123456789"
    assert phone_clean("") == ""
    for wrong in ("0612", "abc", "+0 123456789", "06123456789"):
        with pytest.raises(ValueError):
            phone_clean(wrong)


def test_a_report_without_a_choice_is_refused(client, youth):
    case, token = youth
    response = client.post(url(token), {"message": "hallo"})
    assert response.status_code == 200
    assert "Kies wat er is gebeurd." in response.content.decode()
    assert not SelfReport.objects.filter(case=case).exists()


def test_a_bad_report_answers_200_so_the_token_never_reaches_the_request_log(client, youth, caplog):
    """Django logs every 4xx as "Bad Request: <path>", and the path holds the youth's live token.
    A form error is shown on the page with 200 (like the staff forms); nothing is logged."""
    case, token = youth
    with caplog.at_level(logging.DEBUG):
        response = client.post(
            url(token), {"kind": "other", "contact_phone": "12345"}, HTTP_ACCEPT_LANGUAGE="nl"
        )
        wrong_kind = client.post(url(token), {"kind": "robbery"}, HTTP_ACCEPT_LANGUAGE="nl")
    assert response.status_code == wrong_kind.status_code == 200
    page = response.content.decode()
    assert "Kijk hier nog even naar:" in page
    assert "Dit telefoonnummer klopt niet." in page
    assert "Kies wat er is gebeurd." in wrong_kind.content.decode()
    assert not SelfReport.objects.filter(case=case).exists()
    assert not Signal.objects.filter(case=case, rule_id="R-NZ-4").exists()
    assert token not in caplog.text
    assert not [r for r in caplog.records if r.name in ("django.request", "django.server")]


@pytest.fixture
def still_clock():
    """The limits count in fixed windows of the clock (a minute, an hour): a test that made its
    requests across the turn of a minute would start counting again halfway. The clock stands
    still in these tests and moves only where a test moves it."""
    with time_machine.travel(dt.datetime.now(tz=dt.UTC), tick=False) as clock:
        yield clock


def test_rate_limit_per_token_429_and_nothing_stored(client, youth, still_clock):
    case, token = youth
    for _ in range(ratelimit.REPORTS_PER_HOUR_PER_TOKEN):
        assert client.post(url(token), {"kind": "other"}).status_code == 302
    response = client.post(url(token), {"kind": "lost_job"})
    assert response.status_code == 429
    assert response["Retry-After"]
    assert SelfReport.objects.filter(case=case).count() == ratelimit.REPORTS_PER_HOUR_PER_TOKEN
    assert not SelfReport.objects.filter(case=case, kind="lost_job").exists()
    # the next hour the youth may report again
    still_clock.shift(dt.timedelta(hours=1))
    assert client.post(url(token), {"kind": "lost_job"}).status_code == 302
    assert SelfReport.objects.filter(case=case, kind="lost_job").exists()


def test_rate_limit_per_address_429(client, youth, still_clock):
    _case, token = youth
    for _ in range(ratelimit.REQUESTS_PER_MINUTE_PER_IP):
        assert client.get(url(token)).status_code == 200
    assert client.get(url(token)).status_code == 429
    # guessing tokens counts too
    assert client.get(url("guess")).status_code == 429
    # another address is not limited
    assert client.get(url(token), REMOTE_ADDR="10.0.0.2").status_code == 200
    # the next minute the address is let in again
    still_clock.shift(dt.timedelta(minutes=1))
    assert client.get(url(token)).status_code == 200


def test_rate_limit_is_counted_in_the_database_for_every_server_process(client, youth, still_clock):
    """Each gunicorn worker is its own process: the counts live in one database row per window
    (RateCount), not in a process's memory. A count made elsewhere (another process: here a
    row written by hand, as another worker's statement would) holds for this process too; the
    row holds a hash of the address, never the address itself."""
    _case, token = youth
    assert client.get(url(token)).status_code == 200
    (row,) = RateCount.objects.all()
    assert row.count == 1
    assert "127.0.0.1" not in row.key
    assert row.expires_at > dt.datetime.now(tz=dt.UTC)
    RateCount.objects.filter(pk=row.pk).update(count=ratelimit.REQUESTS_PER_MINUTE_PER_IP)
    assert client.get(url(token)).status_code == 429
    assert RateCount.objects.get(pk=row.pk).count == ratelimit.REQUESTS_PER_MINUTE_PER_IP + 1


def test_the_daily_run_deletes_the_counts_of_windows_that_have_passed(client, youth, still_clock):
    from routearbeid.aftercare.tasks import DAILY_JOBS
    from routearbeid.portal.tasks import rate_counts_expire

    assert "routearbeid.portal.tasks.rate_counts_expire" in DAILY_JOBS
    _case, token = youth
    # half a minute into the next hour, so that the hour's window outlasts the next minute
    now = dt.datetime.now(tz=dt.UTC)
    still_clock.move_to(now.replace(minute=0, second=30, microsecond=0) + dt.timedelta(hours=1))
    client.get(url(token))
    client.post(url(token), {"kind": "other"})
    assert RateCount.objects.count() == 2  # the address's minute, the token's hour
    assert rate_counts_expire() == {"deleted": 0}
    still_clock.shift(dt.timedelta(minutes=1))
    assert rate_counts_expire() == {"deleted": 1}  # the minute has passed, the hour not
    still_clock.shift(dt.timedelta(hours=1))
    assert rate_counts_expire() == {"deleted": 1}
    assert not RateCount.objects.exists()


def test_rate_limit_counts_an_ipv6_client_by_its_64_network(client, youth, still_clock):
    """An IPv6 client has a whole /64 to take addresses from: its addresses count together."""
    _case, token = youth
    for n in range(ratelimit.REQUESTS_PER_MINUTE_PER_IP):
        response = client.get(url(token), REMOTE_ADDR=f"2001:db8:1:2::{n + 1:x}")
        assert response.status_code == 200
    assert client.get(url(token), REMOTE_ADDR="2001:db8:1:2:ffff::1").status_code == 429
    # the control: the next /64 is another client
    assert client.get(url(token), REMOTE_ADDR="2001:db8:1:3::1").status_code == 200


def test_rate_limit_keys_cannot_be_turned_back_into_an_address(client, youth, still_clock):
    """The key is a keyed hash (the secret key): hashing every IPv4 address does not find it."""
    _case, token = youth
    client.get(url(token), REMOTE_ADDR="203.0.113.7")
    (row,) = RateCount.objects.all()
    plain = hashlib.sha256(b"203.0.113.7").hexdigest()[:32]
    assert plain not in row.key and "203.0.113.7" not in row.key
    assert ratelimit._key("ip", "203.0.113.7", 60)[0] == row.key


def test_rate_limit_counts_the_client_behind_our_proxy_not_the_proxy(
    client, youth, settings, still_clock
):
    """Behind one trusted proxy every request comes from the proxy's address: the limit counts
    the client the proxy saw (accounts.ip.client_ip), so one youth does not lock out the rest."""
    settings.ROUTEARBEID_TRUSTED_PROXY_COUNT = 1
    _case, token = youth
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for _ in range(ratelimit.REQUESTS_PER_MINUTE_PER_IP):
        response = client.get(url(token), HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy)
        assert response.status_code == 200
    assert client.get(url(token), HTTP_X_FORWARDED_FOR="203.0.113.7", **proxy).status_code == 429
    # another client through the same proxy has its own bucket
    assert client.get(url(token), HTTP_X_FORWARDED_FOR="198.51.100.9", **proxy).status_code == 200
    # a client cannot escape by putting a made-up address in front: the proxy's entry counts
    spoofed = client.get(url(token), HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7", **proxy)
    assert spoofed.status_code == 429


def test_before_outflow_the_page_shows_no_form_and_a_post_stores_nothing(client, region1):
    case = region1.ready_for_outflow()
    assert case.stage == Stage.HANDOVER or case.stage == Stage.OUTFLOW
    token = services.portal_link_renew(actor=region1.coordinator, case_id=case.pk).token
    page = client.get(url(token))
    assert page.status_code == 200 and b'name="kind"' not in page.content
    client.post(url(token), {"kind": "lost_job"})
    assert not SelfReport.objects.filter(case=case).exists()


def test_the_report_form_is_csrf_protected(youth):
    from django.test import Client

    _case, token = youth
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url(token), {"kind": "other"}).status_code == 403
    assert not SelfReport.objects.exists()


# --- what the youth sees -----------------------------------------------------------------------


def test_the_youth_sees_what_is_recorded_and_which_organisations_looked_not_who(
    client, youth, region1
):
    case, token = youth
    page = client.get(url(token)).content.decode()
    student = case.student
    assert student.full_name in page
    assert student.date_of_birth.strftime("%d-%m-%Y") in page
    assert region1.school.name in page
    employment = case.employments.select_related("employer").get()
    assert employment.employer.name in page
    handover = case.handover
    assert handover.receiving_person and handover.receiving_organisation == region1.work_service
    assert region1.work_service.name in page  # the handover: the organisation ...
    assert handover.receiving_person not in page  # ... never the person there (docs/security.md)
    # who looked: organisations with counts, never the people
    logged = ProcessingLogRecord.objects.filter(
        subject_student_id=student.pk, organisation=region1.school
    ).count()
    assert logged > 1
    text = re.sub(r"<[^>]+>", "", page)
    assert re.search(rf"{re.escape(region1.school.name)}: {logged} (times|keer)", text)
    assert region1.rmc.name in page
    for person in (region1.coordinator, region1.rmc_officer, region1.route_coordinator):
        assert person.username not in page
        assert person.get_full_name() not in page


def test_reading_the_page_is_logged_without_an_actor(client, youth):
    case, token = youth
    client.get(url(token))
    record = ProcessingLogRecord.objects.get(activity="portal.self_report", operation="read")
    assert record.actor is None and record.organisation is None
    assert record.subject_student_id == case.student_id


def test_headers_noindex_no_store_and_the_token_never_leaves_as_a_referrer(client, youth):
    """`same-origin`: no Referer to any other site; `no-referrer` would make browsers send
    `Origin: null` with the form, and Django's CSRF check would refuse every report."""
    _case, token = youth
    for response in (client.get(url(token)), client.get(url("nothing-here"))):
        assert response["Referrer-Policy"] == "same-origin"
        assert "noindex" in response["X-Robots-Tag"]
        assert "no-store" in response["Cache-Control"]
        assert b'<meta name="robots" content="noindex, nofollow">' in response.content
        assert b"<nav" in response.content and b"/jongeren/" not in response.content
        # nothing on the page points to another site (where a Referer could go)
        assert re.findall(rb'(?:href|src|action)="(?:https?:)?//', response.content) == []


# --- languages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "lang", "direction"),
    [
        ("nl-NL,nl;q=0.9", "nl", "ltr"),
        ("en-GB", "en", "ltr"),
        ("ar-SY,ar;q=0.9", "ar", "rtl"),
        ("uk-UA", "uk", "ltr"),
        ("ti-ER", "ti", "ltr"),
        ("tr-TR", "tr", "ltr"),
        ("fa-AF", "fa-af", "rtl"),
        ("prs", "fa-af", "rtl"),
        ("prs-AF,en;q=0.5", "fa-af", "rtl"),
        ("de-DE", "nl", "ltr"),
    ],
)
def test_language_from_accept_language(client, youth, accept, lang, direction):
    _case, token = youth
    page = client.get(url(token), HTTP_ACCEPT_LANGUAGE=accept).content.decode()
    assert f'<html lang="{lang}" dir="{direction}"' in page


def test_the_picker_keeps_the_token_and_is_remembered_for_the_report_page_only(client, youth):
    _case, token = youth
    page = client.get(url(token), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f'href="/melden/{token}/?lang=ar"' in page
    assert ">العربية</a>" in page and ">ትግርኛ</a>" in page and ">دری</a>" in page
    response = client.get(url(token) + "?lang=ar", HTTP_ACCEPT_LANGUAGE="nl")
    assert '<html lang="ar" dir="rtl"' in response.content.decode()
    cookie = response.cookies["portal_language"]
    assert cookie.value == "ar" and cookie["path"] == "/melden/"
    again = client.get(url(token), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert '<html lang="ar"' in again


def test_staff_screens_stay_dutch_or_english_and_offer_only_those(client, region1):
    client.force_login(region1.coordinator)
    page = client.get("/werkvoorraad/", HTTP_ACCEPT_LANGUAGE="ar,en;q=0.5").content.decode()
    assert '<html lang="en"' in page
    page = client.get("/werkvoorraad/", HTTP_ACCEPT_LANGUAGE="ti").content.decode()
    assert '<html lang="nl"' in page
    assert 'value="nl"' in page and 'value="en"' in page
    assert 'value="ar"' not in page and 'value="fa-af"' not in page


def _visible_sentences(html: str) -> set[str]:
    body = re.sub(r"<(script|style|head)[^>]*>.*?</\1>", " ", html, flags=re.S)
    body = re.sub(r'<nav class="portal-languages".*?</nav>', " ", body, flags=re.S)
    body = re.sub(r"<bdi[^>]*>.*?</bdi>", " ", body, flags=re.S)  # names and dates
    text = re.sub(r"<[^>]+>", "\n", body)
    return {t.strip() for t in text.split("\n") if len(t.strip()) > 12}


@pytest.mark.parametrize("lang", ["nl", "ar", "uk", "ti", "tr", "fa-af"])
def test_every_portal_text_is_translated(client, youth, region1, lang):
    """No English sentence of the page, the thank-you page, the error form, 404 or 429 is left."""
    case, token = youth
    names = {case.student.full_name, region1.school.name, region1.work_service.name}

    def pages(code):
        client.cookies.clear()
        RateCount.objects.all().delete()  # every language is a new visitor
        query = f"?lang={code}"
        return [
            client.get(url(token) + query).content.decode(),
            client.post(url(token) + query, {"contact_phone": "1"}).content.decode(),
            client.get(f"/melden/{token}/bedankt/{query}&over=lost_job").content.decode(),
            client.get(url("unknown") + query).content.decode(),
        ]

    english = set().union(*(_visible_sentences(p) for p in pages("en")))
    english = {s for s in english if not any(n in s for n in names) and not s[0].isdigit()}
    assert len(english) > 20
    translated = set().union(*(_visible_sentences(p) for p in pages(lang)))
    assert english & translated == set()


# --- the school's side -------------------------------------------------------------------------


def test_the_school_makes_a_card_with_the_link_and_a_qr_code(client, region1):
    case = in_aftercare(region1)
    client.force_login(region1.coordinator)
    page = client.get(f"/jongeren/{case.student_id}/").content.decode()
    assert 'id="panel-portal"' in page
    response = client.post(f"/jongeren/{case.student_id}/actie/portal-link/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"
    html = response.content.decode()
    token = re.search(r"http://testserver/melden/([A-Za-z0-9_-]{43})/", html).group(1)
    link = PortalLink.objects.get(case=case, revoked_at__isnull=True)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    svg = re.search(r"<svg[^>]*>.*?</svg>", html, flags=re.S).group(0)
    assert 'role="img"' in svg and "style=" not in svg
    # the youth page then says a link is active, without the token
    page = client.get(f"/jongeren/{case.student_id}/").content.decode()
    assert token not in page
    # revoke from the page
    client.post(f"/jongeren/{case.student_id}/actie/portal-link-revoke/")
    assert not PortalLink.objects.filter(case=case, revoked_at__isnull=True).exists()
    assert client.get(url(token)).status_code == 404


def test_two_renewals_at_once_give_a_message_not_an_error_page(client, region1, monkeypatch):
    """A double click: the case row is locked (case_for_change), so on PostgreSQL the second
    renewal waits and revokes the first's link. Where the lock does not hold (SQLite), the second
    one does not see the first's link and hits the one-active-link constraint: it gets a Dutch
    message, the first's link stays the one active link, and nothing else changes."""
    case = in_aftercare(region1)
    first = services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)
    # the second click, as it runs when it cannot see the first's still uncommitted link
    monkeypatch.setattr(services, "_revoke_active", lambda case, user: None)
    with pytest.raises(DomainError) as raised:
        services.portal_link_renew(actor=region1.coordinator, case_id=case.pk)
    assert "at the same moment" in str(raised.value.message)
    active = PortalLink.objects.get(case=case, revoked_at__isnull=True)
    assert active.token_hash == services.token_hash(first.token)
    # from the youth's page: the message on the page, never a 500
    client.force_login(region1.coordinator)
    response = client.post(f"/jongeren/{case.student_id}/actie/portal-link/")
    assert response.status_code in (200, 302)
    page = (
        client.get(f"/jongeren/{case.student_id}/").content.decode()
        if (response.status_code == 302)
        else response.content.decode()
    )
    assert "op hetzelfde moment" in page
    assert PortalLink.objects.filter(case=case).count() == 1


def test_staff_with_the_pgn_roles_see_the_phone_number_the_youth_left(client, youth, region1):
    """The school and the work service call the youth back on the number from the report page;
    partners who only follow the case (RMC) do not see it (need-to-know)."""
    case, token = youth
    client.post(url(token), {"kind": "problems_at_work", "contact_phone": "06 12345678"})
    assert SelfReport.objects.get(case=case).contact_phone == "0612345678"
    client.logout()
    for user, sees in (
        (region1.coordinator, True),
        (region1.work_service_manager, True),
        (region1.rmc_officer, False),
    ):
        client.force_login(user)
        response = client.get(f"/jongeren/{case.student_id}/")
        assert response.status_code == 200, user
        page = response.content.decode()
        assert "Meldingen van de jongere" in page, user
        assert ("0612345678" in page) is sees, user


def test_partners_get_no_portal_panel_or_action(client, region1):
    case = in_aftercare(region1)
    client.force_login(region1.work_service_manager)
    page = client.get(f"/jongeren/{case.student_id}/")
    assert page.status_code == 200 and b'id="panel-portal"' not in page.content
    for name in ("portal-link", "portal-link-revoke"):
        assert client.post(f"/jongeren/{case.student_id}/actie/{name}/").status_code == 404
    assert not PortalLink.objects.exists()


def test_the_handover_document_carries_a_new_link_once(region1):
    from routearbeid.portal.documents import handover_document_portal
    from routearbeid.route.handover_document import document_context, document_html

    case = region1.ready_for_outflow()
    part = handover_document_portal(
        actor=region1.coordinator, case=case, base_url="https://ra.example/"
    )
    assert part is not None and part["url"].startswith("https://ra.example/melden/")
    token = part["url"].rsplit("/", 2)[1]
    assert PortalLink.objects.get(case=case).token_hash == services.token_hash(token)
    context = document_context(as_actor(region1.coordinator), case) | {"portal": part}
    html = document_html(context)
    assert part["url"] in html and "<svg" in html
    # a second document cannot show the token again: it says when the link was made
    again = handover_document_portal(actor=region1.coordinator, case=case)
    assert again is not None and "url" not in again
    assert PortalLink.objects.filter(case=case).count() == 1
    # the receiving organisation's copy never makes a link
    other = region1.ready_for_outflow()
    assert handover_document_portal(actor=region1.work_service_manager, case=other) is None
    assert not PortalLink.objects.filter(case=other).exists()


def test_the_handover_pdf_prints_the_link_and_its_qr_code(client, region1):
    from routearbeid.route.tests.test_handover_document import pdf_text

    case = region1.ready_for_outflow()
    client.force_login(region1.coordinator)
    response = client.get(f"/jongeren/{case.student_id}/overdrachtsdocument.pdf")
    assert response.status_code == 200
    text = pdf_text(response.content)
    if text is None:
        pytest.skip("neither pdftotext (poppler-utils) nor pypdf to read the PDF's text")
    flat = re.sub(r"\s+", "", text)
    link = PortalLink.objects.get(case=case)
    token = re.search(r"http://testserver/melden/([A-Za-z0-9_-]{43})/", flat).group(1)
    assert link.token_hash == services.token_hash(token)
    assert "Eigen meldpagina van de jongere" in text


@pytest.mark.parametrize("organisations", [1, 6])
def test_the_page_reads_a_fixed_number_of_queries(client, youth, region1, organisations):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from routearbeid.processing_log.services import processing_log_record

    case, token = youth
    people = [
        region1.coordinator,
        region1.work_service_manager,
        region1.rmc_officer,
        region1.leerplicht_officer,
        region1.swv_officer,
        region1.route_coordinator,
    ][:organisations]
    for person in people:
        processing_log_record(
            actor=as_actor(person),
            operation="read",
            activity="route.case",
            student_ids=[case.student_id],
        )
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(token)).status_code == 200
    assert len(queries) == PORTAL_PAGE_QUERIES


# the rate limit's count (one statement), then the page's reads
PORTAL_PAGE_QUERIES = 8


def test_the_demo_region_has_the_demo_youth_at_melden_demo_jongere(client):
    from routearbeid.core.demo import demo_region_build

    demo_region_build()
    link = PortalLink.objects.get(token_hash=services.token_hash(services.DEMO_TOKEN))
    assert link.is_active and link.case.stage == Stage.AFTERCARE
    page = client.get("/melden/demo-jongere/", HTTP_ACCEPT_LANGUAGE="nl")
    assert page.status_code == 200
    assert link.case.student.full_name in page.content.decode()
