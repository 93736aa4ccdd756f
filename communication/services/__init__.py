"""Writes of communication, by topic: news, newsletters, subscriptions, digests, follow-ups.
Every function is a named action: it changes the database, records who did it
(:func:`forum.services.audit_record`) and queues mail in the same transaction. Views check
permission first (:mod:`communication.permissions`).

Every name is re-exported here, so ``from communication import services`` keeps one door."""
from __future__ import annotations

from .base import (  # noqa: F401
    NEWSLETTER_BATCH,
    CommunicationError,
    _publish_task,
)
from .digests import (  # noqa: F401
    digests_send,
    group_items,
)
from .followups import (  # noqa: F401
    _meeting_issues,
    _survey_mail,
    follow_up_publish,
    follow_up_save,
    standard_questions,
    survey_answer,
    survey_questions_save,
    survey_reminders_due,
)
from .news import (  # noqa: F401
    NEWS_FIELDS,
    news_delete,
    news_mail_due,
    news_save,
)
from .newsletters import (  # noqa: F401
    NEWSLETTER_FIELDS,
    _newsletter_finish,
    _only,
    newsletter_context,
    newsletter_retry_failed,
    newsletter_save,
    newsletter_schedule,
    newsletter_send_batch,
    newsletter_start,
    newsletter_test_send,
    newsletter_unschedule,
)
from .subscriptions import (  # noqa: F401
    follow_confirm,
    follow_end,
    follow_request,
    preferences_of,
    preferences_set,
    unsubscribe,
)
