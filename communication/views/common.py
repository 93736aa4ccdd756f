"""What the communication views share: paging, personal-link tokens, the status of a refused form."""
from __future__ import annotations

import re

from django.http import Http404

PER_PAGE = 20
# Personal-link tokens are URL-safe base64 (secrets.token_urlsafe); anything else matches no row
# and must not reach the database (a NUL byte would be a database error, not a 404).
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{8,64}")


def _by_token(queryset, token: str):
    if not TOKEN_RE.fullmatch(token):
        raise Http404
    found = queryset.filter(token=token).first()
    if found is None:
        raise Http404
    return found


UNDO_SALT = "communication.unsubscribe-undo"


def _status(*forms) -> int:
    return 400 if any(form is not None and form.errors for form in forms) else 200
