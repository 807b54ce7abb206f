"""Secret links (the youth's report page, calendar feeds) never reach a log (docs/security.md)."""

import logging

from routearbeid.core.logging import redact


def test_the_secret_in_a_report_page_or_feed_address_is_replaced():
    assert redact("Bad Request: /melden/AbC-123_xyz/") == "Bad Request: /melden/…/"
    assert (
        redact('"GET /agenda/Zz9_-aa.ics HTTP/1.1" 404 12') == '"GET /agenda/….ics HTTP/1.1" 404 12'
    )
    assert redact("Not Found: /jongeren/12/") == "Not Found: /jongeren/12/"


def test_a_refused_request_to_a_report_page_logs_no_token(client, caplog, db):
    token = "a-secret-token-that-does-not-exist-0123456789"
    with caplog.at_level(logging.INFO):
        response = client.get(f"/melden/{token}/")
        client.get(f"/agenda/{token}.ics")
    assert response.status_code == 404
    assert caplog.records, "Django logs refused requests"
    assert all(token not in r.getMessage() for r in caplog.records)
    assert any("/melden/…/" in r.getMessage() for r in caplog.records)
