"""Forms of theme meetings, by topic. They validate only; the services in events.services do
the writing. Every name is re-exported here, so ``from events import forms`` keeps one door."""
from __future__ import annotations

from .checkin import (  # noqa: F401
    CheckinActionForm,
    CheckinSearchForm,
)
from .coordination import (  # noqa: F401
    BulkInvitationForm,
    CompanyFilterForm,
    InvitationForm,
    MeetingForm,
    NominationForm,
    PoolForm,
    StatusForm,
    YearForm,
    _PoolChoiceMixin,
    invitation_pools,
)
from .diversity import (  # noqa: F401
    CandidateFilterForm,
    DiversityTargetsForm,
)
from .participation import (  # noqa: F401
    OfferAcceptForm,
    OpenRegistrationForm,
    ParticipantDetailsForm,
)
