"""Reads about issues and votes, by topic (:mod:`.capture`, :mod:`.triage`, :mod:`.voting`).
List pages run a fixed number of queries. Callers import from this package
(``from issues import selectors``), which re-exports every public name of its modules.
"""
from .capture import (
    confirmed_organisations,
    issues_for_meeting,
    issues_keyed_in,
    meeting_issue,
    supported_issue_ids,
)
from .triage import (
    OVERDUE_SHOWN,
    IssueTodos,
    forum_people,
    issue_history,
    issue_todos,
    merge_candidates,
    merged_into_issue,
    public_issue,
    public_issue_history,
    public_issues,
    triage_queue,
)
from .voting import (
    PriorityList,
    counted_votes,
    latest_priority_lists,
    open_votes_for_participant,
    published_priority_list,
    turnout_percent,
    vote_candidates,
    vote_eligible_count,
    vote_not_yet_voted,
    vote_voter_count,
    voter_record,
    votes_for_meeting,
)

__all__ = [
    "issues_for_meeting",
    "meeting_issue",
    "supported_issue_ids",
    "issues_keyed_in",
    "confirmed_organisations",
    "triage_queue",
    "public_issues",
    "public_issue",
    "merged_into_issue",
    "merge_candidates",
    "forum_people",
    "issue_history",
    "public_issue_history",
    "OVERDUE_SHOWN",
    "IssueTodos",
    "issue_todos",
    "published_priority_list",
    "counted_votes",
    "PriorityList",
    "turnout_percent",
    "latest_priority_lists",
    "votes_for_meeting",
    "vote_candidates",
    "vote_voter_count",
    "vote_eligible_count",
    "vote_not_yet_voted",
    "voter_record",
    "open_votes_for_participant",
]
