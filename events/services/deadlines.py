"""Answer-by times of invitations and waiting-list offers."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..models import Meeting

# --- Deadlines --------------------------------------------------------------------------
# Answer-by times people can remember (issue 10): an invitation runs to the end of a day, a
# waiting-list offer to a whole hour, both in the city's time zone (TIME_ZONE,
# Europe/Stockholm), never past the start of the meeting.
END_OF_DAY = dt.time(23, 59, 59)


def _whole_hour_down(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(minute=0, second=0, microsecond=0)


def _not_after_start(deadline: dt.datetime, meeting: Meeting, now: dt.datetime) -> dt.datetime:
    """``deadline``, or – when it would fall after the meeting has started – the latest one
    allowed (:func:`latest_answer_by`)."""
    return deadline if deadline <= meeting.starts_at else latest_answer_by(meeting, now)


def latest_answer_by(meeting: Meeting, now: dt.datetime) -> dt.datetime:
    """What an answer-by time that would fall after the start of ``meeting`` becomes at
    ``now``: the whole hour before the start (11:00 for a meeting at 11:11), or the start
    itself once that hour has passed."""
    hour = _whole_hour_down(meeting.starts_at)
    return hour if hour > now else meeting.starts_at


def invitation_deadline(meeting: Meeting, now: dt.datetime) -> dt.datetime:
    """The answer-by time of an invitation sent at ``now``: the end of the day (23:59:59 local
    time) ``meeting.invitation_days`` days later, or earlier if the meeting starts first."""
    day = timezone.localdate(now + dt.timedelta(days=meeting.invitation_days))
    end_of_day = dt.datetime.combine(day, END_OF_DAY, tzinfo=timezone.get_default_timezone())
    return _not_after_start(end_of_day, meeting, now)


def offer_deadline(meeting: Meeting, now: dt.datetime) -> dt.datetime:
    """Until when a waiting-list offer made at ``now`` is open: ``meeting.offer_hours`` hours,
    rounded up to the next whole hour (never shorter than promised), or earlier if the meeting
    starts first."""
    exact = now + dt.timedelta(hours=meeting.offer_hours)
    hour = _whole_hour_down(exact)
    rounded = hour if hour == exact else hour + dt.timedelta(hours=1)
    return _not_after_start(rounded, meeting, now)
