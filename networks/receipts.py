"""Receipts: only PDF, JPEG and PNG, at most :data:`MAX_BYTES`, recognised by their content
(the first bytes), not by the name or the type the browser claims."""
from __future__ import annotations

MAX_BYTES = 5 * 1024 * 1024

# (content type, the bytes the file starts with)
SIGNATURES: tuple[tuple[str, bytes], ...] = (
    ("application/pdf", b"%PDF-"),
    ("image/jpeg", b"\xff\xd8\xff"),
    ("image/png", b"\x89PNG\r\n\x1a\n"),
)
EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


def sniff(head: bytes) -> str | None:
    """The content type of a file starting with ``head``, or None if it is none of the three."""
    for content_type, signature in SIGNATURES:
        if head.startswith(signature):
            return content_type
    return None
