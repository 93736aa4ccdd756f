"""Forms of issues and the priority vote, by topic (:mod:`.capture`, :mod:`.triage`,
:mod:`.voting`). They validate only; the services in :mod:`issues.services` do the writing.
Callers import from this package (``from issues.forms import X``), which re-exports every
public name of its modules.
"""
from .capture import (
    ISSUE_MAX_LENGTH,
    IssueKeyInForm,
    IssueRaiseForm,
    IssueSupportForm,
)
from .triage import (
    IssueEditForm,
    IssueMergeForm,
    IssueStatusForm,
    MergeSearchForm,
    PublicIssueFilterForm,
    TriageFilterForm,
)
from .voting import (
    BallotForm,
    PaperBallotForm,
    ReceiptCheckForm,
    VoteActionForm,
    VoteAdminForm,
    VoteCreateForm,
)

__all__ = [
    "ISSUE_MAX_LENGTH",
    "IssueRaiseForm",
    "IssueKeyInForm",
    "IssueSupportForm",
    "TriageFilterForm",
    "PublicIssueFilterForm",
    "IssueEditForm",
    "IssueStatusForm",
    "MergeSearchForm",
    "IssueMergeForm",
    "VoteCreateForm",
    "VoteAdminForm",
    "BallotForm",
    "PaperBallotForm",
    "ReceiptCheckForm",
    "VoteActionForm",
]
