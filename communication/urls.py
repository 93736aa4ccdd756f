"""URLs of communication (Swedish paths)."""
from django.urls import path

from . import feeds, views

app_name = "communication"

urlpatterns = [
    path("forum/<slug:slug>/nyheter/", views.news_list, name="news_list"),
    path("forum/<slug:slug>/nyheter/flode.atom", feeds.news_feed, name="news_feed"),
    path("forum/<slug:slug>/nyheter/hantera/", views.news_manage, name="news_manage"),
    path("forum/<slug:slug>/nyheter/skriv/", views.news_edit, name="news_create"),
    path("forum/<slug:slug>/nyheter/<int:pk>/", views.news_detail, name="news_detail"),
    path("forum/<slug:slug>/nyheter/<int:pk>/andra/", views.news_edit, name="news_edit"),
    path("forum/<slug:slug>/nyheter/<int:pk>/ta-bort/", views.news_delete, name="news_delete"),
    path("forum/<slug:slug>/nyhetsbrev/", views.newsletter_list, name="newsletter_list"),
    path("forum/<slug:slug>/nyhetsbrev/nytt/", views.newsletter_edit, name="newsletter_create"),
    path("nyhetsbrev/<int:pk>/", views.newsletter_detail, name="newsletter_detail"),
    path("nyhetsbrev/<int:pk>/andra/", views.newsletter_edit, name="newsletter_edit"),
    path("nyhetsbrev/<int:pk>/testa/", views.newsletter_test, name="newsletter_test"),
    path("nyhetsbrev/<int:pk>/skicka/", views.newsletter_schedule, name="newsletter_schedule"),
    path("nyhetsbrev/<int:pk>/stoppa/", views.newsletter_unschedule, name="newsletter_unschedule"),
    path("nyhetsbrev/<int:pk>/forsok-igen/", views.newsletter_retry, name="newsletter_retry"),
    path("nyhetsbrev/<int:pk>/status.json", views.newsletter_progress, name="newsletter_progress"),
    path("nyhetsbrev/las/<uuid:public_id>/", views.newsletter_web, name="newsletter_web"),
    path("forum/<slug:slug>/folj/", views.follow, name="follow"),
    path("forum/<slug:slug>/natverk/<int:network_id>/folj/", views.follow, name="follow_network"),
    path("folj/<str:token>/", views.follow_confirm, name="follow_confirm"),
    path("e-post/val/", views.preferences, name="preferences"),
    path("e-post/val/<str:token>/", views.preferences_by_token, name="preferences_token"),
    path("e-post/avsluta/angra/", views.unsubscribe_undo, name="unsubscribe_undo"),
    path("e-post/avsluta/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("tematraff/<int:pk>/uppfoljning/", views.follow_up_edit, name="follow_up"),
    path("tematraff/<int:pk>/uppfoljning/fragor/", views.survey_questions, name="survey_questions"),
    path("tematraff/<int:pk>/uppfoljning/skicka/", views.follow_up_publish, name="follow_up_publish"),
    path("tematraff/<int:pk>/uppfoljning/resultat/", views.survey_results, name="survey_results"),
    path("tematraff/<int:pk>/dokumentation/", views.follow_up_public, name="follow_up_public"),
    path("forum/<slug:slug>/enkater/", views.survey_overview, name="survey_overview"),
    path("forum/<slug:slug>/enkater/enkater.csv", views.survey_export, name="survey_export"),
    path("enkat/<str:token>/", views.survey, name="survey"),
]
