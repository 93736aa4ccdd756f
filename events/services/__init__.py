"""Writes about theme meetings and seats, by topic:

- :mod:`.meetings`: meetings, the yearly plan, seat pools, diversity targets;
- :mod:`.seats`: the booking rule (one lock per meeting, :class:`SeatMap`), open registration,
  the waiting list and its offers, cancellation;
- :mod:`.deadlines`: answer-by times of invitations and offers;
- :mod:`.invitations`: invitations, bulk invitations, answers and expiry;
- :mod:`.nominations`: partner nominations;
- :mod:`.checkin`: attendance on the day;
- :mod:`.reminders` and :mod:`.retention`: periodic mail and personal data retention.

Every function records who did it (``forum.services.audit_record``) and queues its mail in
the same transaction (``forum.services.mail_queue``). Views check permission first with
:mod:`events.permissions`. Callers import from this package (``from events import services``),
which re-exports every public name of its modules.
"""
from .base import (
    BookingError,
    RegistrationClosed,
    mail_context,
)
from .checkin import (
    checkin,
)
from .deadlines import (
    END_OF_DAY,
    invitation_deadline,
    offer_deadline,
)
from .invitations import (
    invitation_accept,
    invitation_batch_create,
    invitation_batch_retry_failed,
    invitation_batch_step,
    invitation_batches_resume,
    invitation_create,
    invitation_decline,
    invitation_expire,
    invitations_expire,
)
from .meetings import (
    DEFAULT_HOLD,
    DEFAULT_POOLS,
    LATER_MEETINGS,
    STARTUP_MEETINGS,
    diversity_targets_save,
    later_year_create,
    meeting_changes_are_told,
    meeting_changes_told,
    meeting_create,
    meeting_set_status,
    meeting_update,
    pool_delete,
    pool_save,
    startup_year_create,
)
from .nominations import (
    nomination_create,
    nomination_decide,
)
from .reminders import (
    reminders_send,
)
from .retention import (
    registrations_retention,
)
from .seats import (
    SeatMap,
    _lock,
    claims_block,
    offer_accept,
    offers_process,
    offers_process_all,
    pool_refusal,
    registration_cancel,
    registration_open_create,
    waiting_position,
)

# ``_lock`` is re-exported for the tests that hold the meeting lock themselves.
__all__ = [
    "BookingError",
    "RegistrationClosed",
    "mail_context",
    "DEFAULT_POOLS",
    "STARTUP_MEETINGS",
    "LATER_MEETINGS",
    "DEFAULT_HOLD",
    "meeting_create",
    "meeting_update",
    "meeting_changes_told",
    "meeting_changes_are_told",
    "meeting_set_status",
    "startup_year_create",
    "later_year_create",
    "pool_save",
    "pool_delete",
    "diversity_targets_save",
    "SeatMap",
    "_lock",
    "claims_block",
    "pool_refusal",
    "waiting_position",
    "registration_open_create",
    "offers_process",
    "offers_process_all",
    "offer_accept",
    "registration_cancel",
    "END_OF_DAY",
    "invitation_deadline",
    "offer_deadline",
    "invitation_create",
    "invitation_batch_create",
    "invitation_batch_retry_failed",
    "invitation_batches_resume",
    "invitation_batch_step",
    "invitation_expire",
    "invitation_accept",
    "invitation_decline",
    "invitations_expire",
    "nomination_create",
    "nomination_decide",
    "checkin",
    "reminders_send",
    "registrations_retention",
]
