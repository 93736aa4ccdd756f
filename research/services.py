"""Writes of the research app: only the record that an export was downloaded."""
from __future__ import annotations

from typing import Any

from forum.models import AuditEvent, Forum
from forum.services import audit_record


def research_export_record(*, actor: Any, forum: Forum, export: str, file_format: str) -> AuditEvent:
    """Record in the audit trail that ``actor`` downloaded the export ``export`` of ``forum``
    as ``file_format`` (csv or xlsx). Side effects: one AuditEvent row (and, as every audit
    row, the public page cache goes stale after commit). The caller has checked
    :func:`research.permissions.can_export`."""
    return audit_record(actor=actor, action="research.export", target=forum, forum=forum,
                        data={"export": export, "format": file_format})
