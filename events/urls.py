"""URLs of theme meetings. Sections per view module; Swedish paths for a Swedish service."""
from django.urls import path

from .views import checkin, coordination, diversity, participation  # noqa: F401

app_name = "events"

urlpatterns = [
    # --- participation (public meeting page, invitations, registration, my registrations)
    # --- end participation
    # --- coordination (yearly plan, meetings, pools, invitations, nominations, catering)
    # --- end coordination
    # --- checkin
    # --- end checkin
    # --- diversity
    # --- end diversity
]
