"""Writes about issues and the priority vote, by topic (:mod:`.capture`, :mod:`.triage`,
:mod:`.voting` for the vote's life and result, :mod:`.ballots` for casting and checking
ballots). Each function is a named action that records who did it (``IssueEvent`` for
an issue's own history, ``forum.services.audit_record`` for the audit log) and queues its mail
in the same transaction. Views check permission first with :mod:`issues.permissions`.
Callers import from this package (``from issues import services``), which re-exports every
public name of its modules (and ``_voter_key``, which the tests use to find a voter's record).
"""
from .ballots import (
    _voter_key,
    ballot_cast,
    clean_marks,
    has_voted,
    receipt_check,
)
from .base import (
    BallotMarksError,
    IssueError,
    side_of,
)
from .capture import (
    ISSUES_PER_REGISTRATION,
    issue_create,
    issue_support,
)
from .triage import (
    EDITABLE,
    NETWORK_STATUSES,
    issue_edit,
    issue_merge,
    issue_network_status,
    issue_recipients,
    issue_set_status,
    mail_context,
    quick_fix_missing,
)
from .voting import (
    SIDE_RESULT_MIN_BALLOTS,
    VOTE_EDITABLE_FIELDS,
    eligible_registrations,
    vote_close,
    vote_closed_at,
    vote_confirm,
    vote_create,
    vote_delete,
    vote_is_editable,
    vote_is_open,
    vote_may_confirm,
    vote_may_open,
    vote_open,
    vote_opened_at,
    vote_problems,
    vote_result,
    vote_settings_check,
    vote_update,
    votes_close_due,
)

__all__ = [
    "IssueError",
    "BallotMarksError",
    "side_of",
    "ISSUES_PER_REGISTRATION",
    "issue_create",
    "issue_support",
    "EDITABLE",
    "issue_edit",
    "issue_merge",
    "issue_set_status",
    "quick_fix_missing",
    "NETWORK_STATUSES",
    "issue_network_status",
    "issue_recipients",
    "mail_context",
    "vote_create",
    "VOTE_EDITABLE_FIELDS",
    "vote_settings_check",
    "vote_problems",
    "vote_is_editable",
    "vote_update",
    "vote_delete",
    "vote_is_open",
    "vote_may_open",
    "vote_open",
    "vote_opened_at",
    "vote_closed_at",
    "vote_close",
    "votes_close_due",
    "eligible_registrations",
    "_voter_key",
    "clean_marks",
    "ballot_cast",
    "has_voted",
    "receipt_check",
    "SIDE_RESULT_MIN_BALLOTS",
    "vote_result",
    "vote_may_confirm",
    "vote_confirm",
]
