"""django-allauth adapter: allauth's mail goes through the portal's outbox."""
from __future__ import annotations

from django.template.loader import render_to_string
from django.utils.translation import get_language

from allauth.account.adapter import DefaultAccountAdapter

from forum.services import mail_queue_rendered


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Queue allauth's message (verification link, login code, password reset…) as an
        outbox row in the current transaction, in the language of the current request.
        Without an HTML template of allauth's, the text is set in the portal's mail layout."""
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
