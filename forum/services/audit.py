"""The audit trail: who did what. Every named action of the portal records itself here."""
from __future__ import annotations

import logging
from typing import Any

from django.db import models

from .. import pagecache
from ..models import (
    AuditEvent,
    Forum,
)

logger = logging.getLogger(__name__)

# --- Audit ------------------------------------------------------------------------------
def audit_record(
    *,
    actor: Any | None,
    action: str,
    target: models.Model | None = None,
    forum: Forum | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Record that ``actor`` performed ``action`` on ``target``. Side effects: one AuditEvent
    row; after commit, the public pages cached for anonymous visitors go stale (every write is
    a named action that records itself here, so none is missed)."""
    pagecache.invalidate_on_commit()
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        forum=forum,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(target.pk) if target is not None else "",
        data=data or {},
    )
