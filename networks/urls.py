"""URLs of the network pages (Swedish paths like the other apps)."""
from django.urls import path

from .views import coordination, leader, public, report

app_name = "networks"

urlpatterns = [
    path("forum/<slug:slug>/natverk/", public.network_list, name="network_list"),
    path("forum/<slug:slug>/natverk/nytt/", coordination.network_create, name="network_create"),
    path("forum/<slug:slug>/natverk/oversikt/", coordination.overview, name="overview"),
    path("forum/<slug:slug>/natverk/budget/", coordination.budget, name="budget"),
    path("forum/<slug:slug>/arsrapport/<int:year>/", report.annual_report, name="report"),
    path("forum/<slug:slug>/arsrapport/<int:year>.pdf", report.annual_report_pdf, name="report_pdf"),
    path("forum/<slug:slug>/utvardering/", report.evaluation, name="evaluation"),
    path("natverk/mina/", leader.dashboard, name="dashboard"),
    path("natverk/inbjudan/<str:token>/", public.invitation, name="invitation"),
    path("natverk/<int:pk>/", public.network_detail, name="network_detail"),
    path("natverk/<int:pk>/andra/", coordination.network_edit, name="network_edit"),
    path("natverk/<int:pk>/ansok/", public.network_join, name="join"),
    path("natverk/<int:pk>/lamna/", public.network_leave, name="leave"),
    path("natverk/<int:pk>/medlemmar/", leader.members, name="members"),
    path("natverk/medlemskap/<int:pk>/beslut/", leader.membership_decide, name="membership_decide"),
    path("natverk/medlemskap/<int:pk>/avsluta/", leader.membership_end, name="membership_end"),
    path("natverk/<int:pk>/traff/ny/", leader.meeting_create, name="meeting_create"),
    path("natverk/traff/<int:pk>/", leader.meeting_detail, name="meeting_detail"),
    path("natverk/traff/<int:pk>/kalender.ics", leader.meeting_calendar, name="meeting_calendar"),
    path("natverk/<int:pk>/atgard/ny/", leader.action_create, name="action_create"),
    path("natverk/atgard/<int:pk>/", leader.action_edit, name="action_edit"),
    path("natverk/<int:pk>/lagesrapport/ny/", leader.update_create, name="update_create"),
    path("natverk/<int:pk>/utfall/", leader.outcome_create, name="outcome_create"),
    path("natverk/<int:pk>/utgifter/", leader.expenses, name="expenses"),
    path("natverk/utgift/<int:pk>/kvitto/", leader.receipt, name="receipt"),
]
