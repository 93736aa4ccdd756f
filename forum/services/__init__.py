"""Writes of the forum-wide domain, by topic: the audit trail, the mail outbox, forums and
their focus areas, roles, the register of organisations, accessibility reports. Every function is
a named action: it changes the database, records who did it in the audit trail, and queues any
mail in the same transaction. Views call these after checking permission with
:mod:`forum.permissions`.

Every name is re-exported here, so ``from forum import services`` keeps one door. Settings a
test changes live in their module (``forum.services.outbox.RECORD_SENT_PAUSES``)."""
from __future__ import annotations

from .accessibility import (  # noqa: F401
    accessibility_report_create,
    accessibility_report_set_handled,
)
from .audit import (  # noqa: F401
    audit_record,
)
from .forums import (  # noqa: F401
    DEFAULT_FOCUS_AREAS,
    FOCUS_AREA_EDITABLE_FIELDS,
    FORUM_EDITABLE_FIELDS,
    apply_changes,
    focus_area_delete,
    focus_area_save,
    forum_create,
    forum_update,
)
from .organisations import (  # noqa: F401
    ORGANISATION_EDITABLE_FIELDS,
    affiliation_confirm,
    affiliation_create,
    affiliation_delete,
    organisation_create,
    organisation_update,
)
from .outbox import (  # noqa: F401
    RECORD_SENT_PAUSES,
    Attachment,
    DeferredMail,
    Delivery,
    _hand_over,
    _is_temporary,
    _record_sent,
    _render_deferred,
    _store_rendered,
    mail_queue,
    mail_queue_deferred,
    mail_queue_rendered,
    outbox_deliver,
    outbox_release_deferred,
    retry_delay,
)
from .outbox_recovery import (  # noqa: F401
    INTERRUPTED_NOTE,
    OUTBOX_SENDING_TIMEOUT,
    OUTBOX_SWEEP_GRACE,
    REQUEUEABLE,
    outbox_requeue,
    outbox_sweep,
)
from .roles import (  # noqa: F401
    RoleError,
    _admin_access_grant,
    _admin_access_revoke,
    _lock_user,
    role_grant,
    role_revoke,
)
