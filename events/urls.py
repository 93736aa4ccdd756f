"""URLs of theme meetings. Sections per view module; Swedish paths for a Swedish service."""
from django.urls import path

from .views import checkin, coordination, diversity, participation  # noqa: F401

app_name = "events"

urlpatterns = [
    # --- participation (public meeting page, invitations, registration, my registrations)
    path("tematraff/<int:pk>/", participation.meeting_detail, name="meeting_detail"),
    path("tematraff/<int:pk>/kalender.ics", participation.meeting_calendar, name="meeting_calendar"),
    path("tematraff/<int:pk>/anmal/", participation.register, name="register"),
    path("inbjudan/<str:token>/", participation.invitation, name="invitation"),
    path("mina-anmalningar/", participation.my_registrations, name="my_registrations"),
    path("anmalan/<int:pk>/avboka/", participation.registration_cancel, name="registration_cancel"),
    path("anmalan/<int:pk>/erbjudande/", participation.registration_offer, name="registration_offer"),
    # --- end participation
    # --- coordination (yearly plan, meetings, pools, invitations, nominations, catering)
    path("forum/<slug:slug>/plan/", coordination.plan, name="plan"),
    path("forum/<slug:slug>/plan/ny/", coordination.meeting_create, name="meeting_create"),
    path("tematraff/<int:pk>/redigera/", coordination.meeting_edit, name="meeting_edit"),
    path("tematraff/<int:pk>/status/", coordination.meeting_status, name="meeting_status"),
    path("tematraff/<int:pk>/platser/", coordination.pools, name="pools"),
    path("tematraff/<int:pk>/hantera/", coordination.meeting_manage, name="meeting_manage"),
    path("tematraff/<int:pk>/bjud-in/", coordination.invite, name="invite"),
    path("tematraff/<int:pk>/utskick/<int:batch_pk>/", coordination.batch_progress, name="batch_progress"),
    path("tematraff/<int:pk>/utskick/<int:batch_pk>/skicka-igen/", coordination.batch_retry, name="batch_retry"),
    path("tematraff/<int:pk>/nomineringar/", coordination.nominations, name="nominations"),
    path("tematraff/<int:pk>/nomineringar/<int:nomination_pk>/beslut/", coordination.nomination_decide,
         name="nomination_decide"),
    path("tematraff/<int:pk>/catering.csv", coordination.catering, name="catering"),
    # --- end coordination
    # --- checkin
    path("tematraff/<int:pk>/incheckning/", checkin.checkin, name="checkin"),
    path("tematraff/<int:pk>/incheckning/<int:registration_pk>/", checkin.checkin_toggle, name="checkin_toggle"),
    # --- end checkin
    # --- diversity
    path("tematraff/<int:pk>/mangfald/", diversity.diversity, name="diversity"),
    path("forum/<slug:slug>/mangfaldsmal/", diversity.targets, name="diversity_targets"),
    # --- end diversity
]
