"""URLs of issues and the priority vote (Swedish paths)."""
from django.urls import path

from .views import capture, triage, voting  # noqa: F401

app_name = "issues"

urlpatterns = [
    # --- capture
    path("tematraff/<int:pk>/fragor/", capture.participant, name="capture"),
    path("inbjudan/<str:token>/fragor/", capture.participant_by_token, name="capture_token"),
    path("tematraff/<int:pk>/fragor/skriv-in/", capture.key_in, name="key_in"),
    path("tematraff/<int:pk>/fragor/skarm/", capture.screen, name="screen"),
    path("tematraff/<int:pk>/fragor/skarm.json", capture.screen_json, name="screen_json"),
    # --- end capture
    # --- triage
    path("forum/<slug:slug>/fragor/hantera/", triage.triage_queue, name="triage_queue"),
    path("forum/<slug:slug>/fragor/", triage.public_issues, name="public_issues"),
    path("fraga/<int:pk>/hantera/", triage.issue_manage, name="issue_manage"),
    path("fraga/<int:pk>/", triage.issue_detail, name="issue_detail"),
    # --- end triage
    # --- voting
    path("tematraff/<int:pk>/omrostningar/", voting.vote_list, name="vote_list"),
    path("tematraff/<int:pk>/omrostning/ny/", voting.vote_create, name="vote_create"),
    path("omrostning/<int:pk>/hantera/", voting.vote_manage, name="vote_manage"),
    path("omrostning/<int:pk>/", voting.ballot, name="ballot"),
    path("omrostning/<int:pk>/inbjudan/<str:token>/", voting.ballot_by_token, name="ballot_by_token"),
    path("omrostning/<int:pk>/kvitto/", voting.receipt_check, name="receipt_check"),
    path("omrostning/<int:pk>/resultat/", voting.vote_result, name="vote_result"),
    # --- end voting
]
