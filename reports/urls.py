from django.urls import path, re_path

from reports import views

app_name = "reports"

urlpatterns = [
    path("assessments/<id:pk>/reports/", views.report_request, name="request"),
    path("assessments/<id:pk>/reports/panel/", views.reports_panel, name="panel"),
    path("reports/<id:pk>/", views.report_html, name="html"),
    path("reports/<id:pk>/download/", views.report_download, name="download"),
    path("reports/verify/", views.report_verify, name="verify"),
    re_path(
        r"^assessments/(?P<pk>[0-9]+)/gaps\.(?P<fmt>csv|xlsx)$",
        views.gaps_export,
        name="gaps_export",
    ),
    re_path(
        r"^assessments/(?P<pk>[0-9]+)/actions\.(?P<fmt>csv|xlsx)$",
        views.actions_export,
        name="actions_export",
    ),
    path("assessments/<id:pk>/oscal-results.json", views.assessment_oscal, name="oscal_results"),
    path("assessments/<id:pk>/evidence-packs/", views.evidence_pack_request, name="pack_request"),
    path(
        "assessments/<id:pk>/evidence-packs/panel/", views.evidence_packs_panel, name="pack_panel"
    ),
    path("evidence-packs/<id:pk>/download/", views.evidence_pack_download, name="pack_download"),
]

# --- Public verification (no account) ---
from reports import public_views  # noqa: E402

urlpatterns += [
    path("verify/", public_views.public_verify, name="public_verify"),
    path("verify/<str:code>/", public_views.public_verify_code, name="public_verify_code"),
    # --- Approval ---
    path("assessments/<id:pk>/approve/", views.assessment_approve, name="approve"),
    path(
        "assessments/<id:pk>/approval/reopen/",
        views.assessment_reopen_approved,
        name="reopen",
    ),
    # --- Portfolio dashboard ---
    path("portfolio/", views.portfolio, name="portfolio"),
]
