"""django-allauth adapter: allauth's mail goes through the portal's outbox, and failed
password log-ins are counted so that nobody can lock a known user out."""
from __future__ import annotations

from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context

# allauth's own limiter (internal to allauth; requirements.txt pins the version and
# tests/test_login_protection.py exercises it on Redis).
from allauth.core.internal import ratelimit
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from forum import branding
from forum.services import mail_queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        # Says what still works: log-in by emailed code is never throttled by failed passwords.
        "too_many_login_attempts": _(
            "Too many failed log-in attempts for this account. Log in with a code sent to your email, "
            "or try the password again in a few minutes."
        ),
    }

    def format_email_subject(self, subject: str) -> str:
        """``FORUM_EMAIL_SUBJECT_PREFIX`` (or "[<site name>]") and one space before the subject:
        the settings strip the variable's value, so the space is added here."""
        prefix = app_settings.EMAIL_SUBJECT_PREFIX or f"[{branding.site_name()}]"
        return f"{prefix.rstrip()} {force_str(subject)}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's message (verification link, login code, password reset…) as an
        outbox row in the current transaction, in the language of the current request.
        Without an HTML template of allauth's, the text is set in the portal's mail layout.

        allauth's templates name the site ("Hej från …!", "… ett konto på …"): its name and
        domain come from settings (``FORUM_SITE_NAME``, ``FORUM_SITE_URL``), not from
        django.contrib.sites, which the portal does not install."""
        context = {
            "request": allauth_context.request,
            "email": email,
            "current_site": branding.current_site(),
            **context,
        }
        message = self.render_mail(template_prefix, email, context)
        html = next((content for content, mimetype in message.alternatives if mimetype == "text/html"), "")
        if not html:
            html = render_to_string("email/base_from_text.html", {"text": message.body, "subject": message.subject})
        mail_queue_rendered(
            to=email,
            subject=message.subject,
            body_text=message.body,
            body_html=html,
            language=get_language() or "sv",
            template=template_prefix,
        )

    def save_user(self, request, user, form, commit: bool = True):
        """Sign-up: besides allauth's fields, remember the language the person signed up in,
        so later mail reaches them in it."""
        user = super().save_user(request, user, form, commit=False)
        if (language := get_language()) in {"sv", "en"}:
            user.language = language
        if commit:
            user.save()
        return user

    # --- Log-in protection (README "Log-in protection", ACCOUNT_RATE_LIMITS) ---------------
    # allauth counts failed passwords per account ("key" = the email address), so anybody
    # could lock a known user out from anywhere. Here the "login_failed" key is the account
    # *and* the client address (allauth's rule for finding it, as for every rate limit), and
    # "login_failed_account", counted per account alone, is a much higher ceiling against an
    # attack spread over many addresses. allauth counts an attempt before the password is
    # checked and takes it back when it was right (``_login_failed_rl_usage``).

    def _login_failed_keys(self, request: HttpRequest, **credentials: Any) -> list[tuple[str, str]]:
        """(action, key) pairs that count one failed password for these credentials."""
        account = self._get_login_attempts_cache_key(request, **credentials)
        return [("login_failed", f"{account}:{ratelimit.get_ip(request)}"), ("login_failed_account", account)]

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """Refuse the attempt (before the password is checked) when this address has failed
        too often for this account, or the account has failed too often from everywhere.

        Side effects: one count under each limit in the cache; none when refused."""
        usages: list[ratelimit.RateLimitUsage] = []
        for action, key in self._login_failed_keys(request, **credentials):
            usage = ratelimit.consume(request, app="allauth.account", action=action, key=key)
            if usage is None:
                for taken in usages:
                    taken.rollback()
                raise self.validation_error("too_many_login_attempts")
            usages.append(usage)
        self._login_failed_rl_usage = ratelimit.RateLimitUsage(usage=[u for usage in usages for u in usage.usage])

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        """After a password reset (which proves the mailbox), forget the account's failures:
        its ceiling and those from the address the reset was made from."""
        for action, key in self._login_failed_keys(request, **credentials):
            ratelimit.clear(request, app="allauth.account", action=action, key=key)
