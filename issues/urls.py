"""URLs of issues and the priority vote (Swedish paths)."""
from django.urls import path

from .views import capture, triage, voting  # noqa: F401

app_name = "issues"

urlpatterns = [
    # --- capture
    # --- end capture
    # --- triage
    # --- end triage
    # --- voting
    # --- end voting
]
