"""Protection for every form that sends mail without log-in: one helper for all of them.

Two layers, so that the portal cannot be used to mail strangers:

1. A bot guard on the form (:class:`BotGuardForm`), validation only: a honeypot field that
   people neither see nor reach with the keyboard (screen readers announce its label, which
   says to leave it empty), and a signed timestamp of when the page was shown – a form sent
   sooner than ``FORUM_FORM_MIN_SECONDS`` after that, or with the timestamp missing or
   altered, is refused (400).
2. Rate limits at the view (:func:`form_accepted`): per client address for anonymous senders
   (per user when logged in: staff of the city share one address) and per address the mail
   goes to, counted in the shared cache by django-allauth's rate limiter. The client address
   is therefore found by the same rule as for log-in (``ALLAUTH_TRUSTED_PROXY_COUNT``,
   IPv6 by /64), and the limits come from ``FORUM_FORM_RATE_LIMITS``. Refused: 429.

A refused submission keeps what the person typed, says what happened and what to do, and
writes nothing. A filled honeypot is refused like the rest rather than answered with a false
"thank you": a person whose browser filled it in by mistake would otherwise lose the report
without knowing; the field is emptied on the page shown again, so sending once more works.

A new form uses it in a few lines::

    class FollowForm(BotGuardForm):
        antispam_action = "follow"        # names the form in the rate-limit counters
        antispam_email_field = "email"    # the field whose address gets mail
        email = forms.EmailField(...)

    form = FollowForm(request.POST or None)
    if request.method == "POST" and antispam.form_accepted(request, form):
        services.follow_create(...)
        return redirect(...)
    return render(request, "...", {"form": form}, status=form.status_code)
"""
from __future__ import annotations

import logging
import time
from typing import Any

# allauth's limiter, used with our own "app" and rates: the same cache keys, lock and client
# address as its log-in limits. The module is internal to allauth; requirements.txt pins the
# version and tests/test_antispam.py runs it on Redis, so a change on upgrade is caught.
from allauth.core.internal import ratelimit
from django import forms
from django.conf import settings
from django.core import signing
from django.forms.boundfield import BoundField
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .fields import BoundedCharField

logger = logging.getLogger(__name__)

HONEYPOT_FIELD = "website"  # a name bots like to fill in; browsers do not autofill it
STARTED_FIELD = "started"


def _salt(action: str) -> str:
    # Bound to the form: a start time signed for one form is no good on another.
    return f"forum.antispam:{action}"


def started_token(action: str, started_at: float | None = None) -> str:
    """The signed value of the hidden "started" field: when the page was shown (now unless
    ``started_at``, seconds since the epoch), for the form named ``action``."""
    return signing.dumps(time.time() if started_at is None else started_at, salt=_salt(action))


def rate_limit_key(email: str) -> str:
    """The address as counted for the per-address limit: case and a "+tag" do not make a new
    address (they reach the same mailbox)."""
    local, _at, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}" if local else domain


class _OutOfSightBoundField(BoundField):
    """Gives the honeypot's wrapper (label and input, as crispy or Django renders them) the
    class ``antispam-field``, which moves it off screen but keeps it for screen readers."""

    def css_classes(self, extra_classes: Any = None) -> str:
        return " ".join(filter(None, [super().css_classes(extra_classes), "antispam-field"]))


class BotGuardForm(forms.Form):
    """Base for forms that send mail without log-in: adds the honeypot and the signed start
    time, and refuses a submission that fails either. Validation only, no side effects."""

    #: Names the form in its rate-limit counters and signs its start time; set by subclasses.
    antispam_action: str = ""
    #: The field holding the address that gets mail (counted per address), if any.
    antispam_email_field: str | None = None
    #: What the person is told when they sent the form too often, or too much went to one address.
    rate_limited_message = _(
        "You have sent this form many times in a short time, so it was not sent. "
        "Try again in a while, or email us at %(email)s."
    )
    address_limited_message = _(
        "We have sent many messages to this email address in a short time, so the form was not sent. "
        "Try again in a while, send it without an email address, or email us at %(email)s."
    )
    bot_message = _(
        "The form could not be sent. Check what you have written and send it again. "
        "If this happens again, email us at %(email)s."
    )
    # A person who sent the form a moment after the page opened only has to wait: nothing they
    # wrote is wrong, so the message does not ask them to check it.
    too_fast_message = _(
        "The form was sent too soon after the page opened, so it was not sent. "
        "Wait a moment and send it again. What you have written is kept."
    )
    expired_message = _(
        "The page had been open for a long time, so the form was not sent. "
        "Check what you have written and send it again."
    )

    website = BoundedCharField(
        label=_("Do not fill in this field. It is there to stop automated spam."),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
        bound_field_class=_OutOfSightBoundField,
    )
    started = BoundedCharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.antispam_action:
            raise TypeError(f"{type(self).__name__} must set antispam_action")
        # The guard fields go last, after what the person fills in.
        for name in (HONEYPOT_FIELD, STARTED_FIELD):
            self.fields[name] = self.fields.pop(name)
        self.fields[STARTED_FIELD].initial = started_token(self.antispam_action)
        self.rate_limited = False
        self._fresh_token = False

    @property
    def contact_email(self) -> str:
        """Where a refused person can write instead; subclasses may name a closer contact."""
        return settings.FORUM_CONTACT_EMAIL

    @property
    def status_code(self) -> int:
        """The status to render the page with: 429 when rate-limited, 400 when refused."""
        if self.rate_limited:
            return 429
        return 400 if self.is_bound and self.errors else 200

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        refusal = self._bot_refusal(cleaned.get(HONEYPOT_FIELD, ""), self.data.get(self.add_prefix(STARTED_FIELD), ""))
        if refusal:
            reason, message = refusal
            logger.info("antispam: %s refused (%s)", self.antispam_action, reason)
            raise forms.ValidationError(message % {"email": self.contact_email}, code=f"antispam_{reason}")
        return cleaned

    def _bot_refusal(self, honeypot: str, token: str) -> tuple[str, Any] | None:
        """Why the submission looks automated, as (reason, message), or None."""
        if honeypot:
            return "honeypot", self.bot_message
        try:
            # The signed payload is the start time itself, so nobody can make it earlier.
            elapsed = time.time() - float(signing.loads(token, salt=_salt(self.antispam_action)))
        except (signing.BadSignature, TypeError, ValueError):
            self._fresh_token = True
            return "token", self.bot_message
        if elapsed > settings.FORUM_FORM_MAX_AGE_SECONDS:
            self._fresh_token = True
            return "expired", self.expired_message
        if elapsed < settings.FORUM_FORM_MIN_SECONDS:
            # The token stays: the person only has to send again a moment later.
            return "too_fast", self.too_fast_message
        return None

    def full_clean(self) -> None:
        super().full_clean()
        # Shown again, the page must be sendable: an empty honeypot (a browser may have
        # filled it in) and, if the old one was no good, a fresh start time.
        if not self.is_bound:
            return
        honeypot, started = self.add_prefix(HONEYPOT_FIELD), self.add_prefix(STARTED_FIELD)
        if self.data.get(honeypot) or self._fresh_token:
            self.data = self.data.copy()
            self.data[honeypot] = ""
            if self._fresh_token:
                self.data[started] = started_token(self.antispam_action)


def _rates(setting: str, per: str) -> str:
    """allauth's rate string for ``FORUM_FORM_RATE_LIMITS[setting]``, counted ``per`` ip, user or key."""
    return ",".join(
        f"{rate.strip()}/{per}" for rate in settings.FORUM_FORM_RATE_LIMITS[setting].split(",") if rate.strip()
    )


def _consume(request: HttpRequest, form: BotGuardForm) -> Any | None:
    """Count one sending against the sender's and the address's limits; the refusal message,
    or None when within them. A refusal by the address limit undoes the sender's count."""
    action = form.antispam_action
    user = request.user if request.user.is_authenticated else None
    sender_rates = _rates("user", "user") if user else _rates("ip", "ip")
    usage = ratelimit.consume(request, app="forum", action=action, config={action: sender_rates}, user=user)
    if usage is None:
        return form.rate_limited_message
    address = form.cleaned_data.get(form.antispam_email_field) if form.antispam_email_field else ""
    if address:
        address_action = f"{action}.address"
        address_usage = ratelimit.consume(
            request, app="forum", action=address_action,
            config={address_action: _rates("address", "key")}, key=rate_limit_key(address),
        )
        if address_usage is None:
            usage.rollback()
            return form.address_limited_message
    return None


def form_accepted(request: HttpRequest, form: BotGuardForm) -> bool:
    """True when the bound ``form`` is valid (bot guard included) and the sender and the
    address are within their limits; only then is the sending counted.

    Side effects: rate-limit counters in the cache. Otherwise the form carries the reason as
    an error for the page and ``form.status_code`` is 400 or 429. Assumes no permission: for
    anonymous and logged-in senders alike.
    """
    if not form.is_valid():
        return False
    message = _consume(request, form)
    if message is None:
        return True
    logger.info("antispam: %s rate-limited", form.antispam_action)
    form.rate_limited = True
    form.add_error(None, message % {"email": form.contact_email})
    return False
