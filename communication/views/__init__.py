"""Views of communication, by topic (news, newsletters, subscriptions, follow-ups). Thin:
permissions from :mod:`communication.permissions`, reads from :mod:`communication.selectors`,
writes through :mod:`communication.services`. Every view is re-exported here for the URLs."""
from __future__ import annotations

from .common import (  # noqa: F401
    PER_PAGE,
    TOKEN_RE,
    UNDO_SALT,
    _by_token,
    _status,
)
from .followups import (  # noqa: F401
    follow_up_edit,
    follow_up_public,
    follow_up_publish,
    survey,
    survey_export,
    survey_overview,
    survey_questions,
    survey_results,
)
from .news import (  # noqa: F401
    news_delete,
    news_detail,
    news_edit,
    news_list,
    news_manage,
)
from .newsletters import (  # noqa: F401
    _newsletter_page,
    newsletter_detail,
    newsletter_edit,
    newsletter_list,
    newsletter_progress,
    newsletter_retry,
    newsletter_schedule,
    newsletter_test,
    newsletter_unschedule,
    newsletter_web,
)
from .subscriptions import (  # noqa: F401
    follow,
    follow_confirm,
    preferences,
    preferences_by_token,
    unsubscribe,
    unsubscribe_undo,
)
