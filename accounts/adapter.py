"""django-allauth adapter: allauth's mail is the portal's own (templates/account/email/, in the
portal's mail layout) and goes through the outbox, and failed password log-ins are counted so
that nobody can lock a known user out."""
from __future__ import annotations

from typing import Any

from allauth.account import app_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context

# allauth's own limiter (internal to allauth; requirements.txt pins the version and
# tests/test_login_protection.py exercises it on Redis).
from allauth.core.internal import ratelimit
from django.conf import settings
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.utils.encoding import force_str
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from forum import branding, mail
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
        """Queue allauth's message (sign-up verification, log-in code, password reset…) as an
        outbox row in the current transaction, in the language of the current request, from
        the portal and the city (Reply-To ``FORUM_CONTACT_EMAIL``).

        The portal writes these mails itself: ``templates/account/email/<name>_subject.txt``
        and ``<name>_message.html``, in the portal's mail layout (:mod:`forum.mail`, both
        parts from one template). A mail allauth might send that the portal has no template
        for (its security notifications, off in the settings) falls back to allauth's text,
        set in the layout. The site's name and domain come from settings
        (``FORUM_SITE_NAME``, ``FORUM_SITE_URL``), not from django.contrib.sites."""
        context = {
            "request": allauth_context.request,
            "email": email,
            "current_site": branding.current_site(),
            # How long links and codes work, as the mails say it.
            "confirmation_days": app_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS,
            "reset_days": max(settings.PASSWORD_RESET_TIMEOUT // 86400, 1),
            "code_minutes": max(app_settings.LOGIN_BY_CODE_TIMEOUT // 60, 1),
            **context,
        }
        language = get_language() or settings.LANGUAGE_CODE
        try:
            get_template(f"{template_prefix}_message.html")
        except TemplateDoesNotExist:
            rendered = self._allauth_text_mail(template_prefix, email, context, language)
        else:
            rendered = mail.render(template_prefix, context, language=language)
        mail_queue_rendered(
            to=email,
            subject=self.format_email_subject(rendered.subject),
            body_text=rendered.text,
            body_html=rendered.html,
            headers=rendered.headers,
            language=language,
            template=template_prefix,
        )

    def _allauth_text_mail(self, template_prefix: str, email: str, context: dict, language: str) -> mail.RenderedMail:
        """allauth's own text of a mail, set in the portal's layout (no subject prefix yet)."""
        message = self.render_mail(template_prefix, email, context)
        subject = message.subject.removeprefix(self.format_email_subject(""))
        html = render_to_string("email/base_from_text.html", {
            "text": message.body, "mail_subject": subject, "mail_language": language, **mail.layout_context()})
        return mail.RenderedMail(subject=subject, text=message.body, html=html, headers=mail.envelope())

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
