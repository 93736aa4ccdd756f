"""URLs of the research exports, in the ``research`` namespace: the page, and one address per
export and format (``research:participation_csv``, ``research:participation_xlsx``, …)."""
from django.urls import path

from . import views
from .selectors import EXPORTS

app_name = "research"

urlpatterns = [
    path("forum/<slug:slug>/foljeforskning/", views.research_index, name="index"),
    *[
        path(f"forum/<slug:slug>/foljeforskning/{export.filename}.{file_format}", views.research_export,
             {"export": export.key, "file_format": file_format}, name=f"{export.key}_{file_format}")
        for export in EXPORTS.values() for file_format in views.FORMATS
    ],
]
