from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<int:pk>/reports/", views.report_request, name="request"),
    path("assessments/<int:pk>/reports/panel/", views.reports_panel, name="panel"),
    path("reports/<int:pk>/", views.report_html, name="html"),
    path("reports/<int:pk>/download/", views.report_download, name="download"),
    path("reports/verify/", views.report_verify, name="verify"),
    # --- Portfolio dashboard ---
    path("portfolio/", views.portfolio, name="portfolio"),
]
