"""Reports of accessibility problems."""
from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ..models import (
    AccessibilityReport,
)
from ..selectors import is_verified_email_of
from .audit import audit_record
from .outbox import mail_queue

logger = logging.getLogger(__name__)

# --- Accessibility ----------------------------------------------------------------------
def accessibility_report_create(
    *, actor: Any | None, description: str, page_url: str = "", email: str = "", language: str
) -> AccessibilityReport:
    """Store a reported accessibility problem and mail it to the accessibility contact;
    the reporter gets a receipt if they left an address.

    Anyone may report (the view applies forum.antispam first). The receipt quotes the report
    only when the address is verified as the logged-in reporter's own: anything else may be
    a stranger's address, and the portal must not carry a sender's text to it.
    Side effects: the report, an audit row and one or two outbox rows, in one transaction.
    """
    with transaction.atomic():
        report = AccessibilityReport.objects.create(
            description=description,
            page_url=page_url,
            email=email,
            reporter=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, action="accessibility.report", target=report)
        # A reply to the report reaches the reporter; a reply to the receipt, the accessibility contact.
        mail_queue(
            to=settings.FORUM_ACCESSIBILITY_EMAIL,
            template="accessibility_report",
            context={"report": report},
            language=settings.LANGUAGE_CODE,
            created_by=actor,
            reply_to=[email] if email else None,
        )
        if email:
            mail_queue(
                to=email,
                template="accessibility_receipt",
                context={
                    "report": report,
                    "quote_description": is_verified_email_of(actor, email),
                    "contact_email": settings.FORUM_ACCESSIBILITY_EMAIL,
                },
                language=language,
                created_by=actor,
                reply_to=[settings.FORUM_ACCESSIBILITY_EMAIL],
            )
    return report


def accessibility_report_set_handled(*, actor: Any, report: AccessibilityReport, handled: bool) -> bool:
    """Mark a report handled (now) or not handled again (the admin; the portal administrator
    and staff with Django's change permission on reports – the caller has checked). The time
    is the clock's, never a typed date. Returns whether anything changed. Side effects: the
    row and, if it changed, an audit row."""
    with transaction.atomic():
        current = AccessibilityReport.objects.select_for_update().get(pk=report.pk)
        if (current.handled_at is not None) == handled:
            return False
        current.handled_at = timezone.now() if handled else None
        current.save(update_fields=["handled_at"])
        audit_record(actor=actor, action="accessibility.handled" if handled else "accessibility.unhandled",
                     target=current)
    return True
