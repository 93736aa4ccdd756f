"""Reads about meetings and seats, by topic: registrations and candidates, check-in, where
visitors stand, and what needs the coordinators. List pages run a fixed number of queries.

Every name is re-exported here, so ``from events import selectors`` keeps one door."""
from __future__ import annotations

from .checkin import (  # noqa: F401
    CHECKIN_CODE_LENGTH,
    checkin_counts,
    checkin_search,
    looks_like_code,
    normalise_code,
    registration_by_code,
)
from .registrations import (  # noqa: F401
    PLAN_YEARS_BACK,
    TOLD_STATUSES,
    YearlyPlan,
    catering_rows,
    company_candidates,
    facilitator_candidates,
    invitable_organisations,
    invitation_batch_mail_status,
    meeting_registrations,
    meetings_by_year,
    nominations_for,
    people_told_of_changes,
    pools_with_fill,
    registrations_for_user,
    registrations_with_mail_status,
    waiting_list,
    waiting_positions,
    yearly_plan,
)
from .standing import (  # noqa: F401
    COMING_STATUSES,
    ComingMeeting,
    CompanyStanding,
    MeetingStanding,
    RegistrationState,
    _registration_state,
    coming_meetings,
    meeting_standing,
    open_seats_estimate,
)
from .work import (  # noqa: F401
    HOLD_DATE_WARNING,
    OFFER_WARNING,
    MeetingTodo,
    meeting_todos,
)
