"""The communication app's part of a person's data (forum.personal_data): what their
addresses follow and receive, and the surveys they were asked to answer (their answers carry
no link to them, so they are neither exported nor erased: nobody can tell which are theirs)."""
from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forum.personal_data import PersonalData, Rows, local
from forum.services.people import by_address, person_addresses

from ..models import Digest, DigestItem, Follower, MailPreference, NewsletterRecipient, SurveyInvitation


def _export(user: Any) -> Rows:
    addresses = person_addresses(user)
    rows: Rows = []
    for follower in Follower.objects.filter(by_address("email", addresses)).select_related("forum"):
        rows.append({_("What"): _("You follow"), _("Forum"): follower.forum.name,
                     _("Network"): follower.network_id or "", _("Email address"): follower.email,
                     _("Created"): local(follower.created_at), _("Confirmed"): local(follower.confirmed_at)})
    for preference in MailPreference.objects.filter(by_address("email", addresses)):
        rows.append({_("What"): _("Email preference"), _("Email address"): preference.email,
                     _("Kind"): preference.get_kind_display(), _("How often"): preference.get_frequency_display()})
    for recipient in NewsletterRecipient.objects.filter(by_address("email", addresses)).select_related("newsletter"):
        rows.append({_("What"): _("Newsletter"), _("Subject"): recipient.newsletter.subject_sv,
                     _("Email address"): recipient.email, _("Status"): recipient.get_outcome_display()})
    for invitation in (SurveyInvitation.objects.filter(by_address("email", addresses))
                       .select_related("follow_up__meeting")):
        rows.append({_("What"): _("Survey after a meeting"), _("Meeting"): invitation.follow_up.meeting.title,
                     _("Email address"): invitation.email,
                     _("Answered"): _("Yes") if invitation.answered else _("No")})
    return rows


def _erase(user: Any, now: dt.datetime) -> int:
    """Follows, preferences and digests waiting for the addresses go. A newsletter's or a
    survey's list keeps a row for a person who was mailed or answered (its counts), under an
    address that reaches nobody; a row still waiting to be mailed goes."""
    addresses = person_addresses(user)
    changed = 0
    for model in (Follower, MailPreference, DigestItem, Digest):
        deleted, _by_model = model.objects.filter(by_address("email", addresses)).delete()
        changed += deleted
    pending = NewsletterRecipient.objects.filter(by_address("email", addresses),
                                                 outcome=NewsletterRecipient.Outcome.PENDING)
    changed += pending.delete()[0]
    unanswered = SurveyInvitation.objects.filter(by_address("email", addresses), answered=False)
    changed += unanswered.delete()[0]
    for model in (NewsletterRecipient, SurveyInvitation):
        for row in model.objects.filter(by_address("email", addresses)):
            # Unique per newsletter or survey, so each row gets its own; ".invalid" is reserved
            # (RFC 2606): no mail to it can ever be delivered.
            row.email = f"erased-{row.pk}@erased.invalid"
            row.save(update_fields=["email"])
            changed += 1
    return changed


PERSONAL_DATA = PersonalData(key="communication", title=gettext_lazy("News, newsletters and surveys"),
                             export=_export, erase=_erase, order=40)
