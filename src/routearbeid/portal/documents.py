"""The report page's part of the handover document (R-HO-1): a QR code with the youth's link."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .qr import qr_svg
from .services import NewLink, portal_link_for_document


def handover_document_portal(*, actor, case, base_url: str = "") -> dict | None:
    """A new link with its QR code when the school makes the document and the youth has none;
    otherwise when the active link was made (its token cannot be shown again); None for others."""
    result = portal_link_for_document(actor=actor, case=case)
    if result is None:
        return None
    if isinstance(result, NewLink):
        base = (base_url or getattr(settings, "ROUTEARBEID_BASE_URL", "")).rstrip("/")
        url = base + reverse("portal:page", args=[result.token])
        return {
            "url": url,
            "qr": qr_svg(url, label=_("QR code with the link to the youth's own page")),
            "made_on": result.link.created_at,
        }
    return {"made_on": result.created_at}
