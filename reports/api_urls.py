"""The reports app's API under /api/v1/ (portal.urls includes it)."""

from django.urls import path

from reports import apis

urlpatterns = [
    path("assessments/<int:pk>/reports/", apis.ReportListApi.as_view()),
    path("reports/verify/", apis.ReportVerifyApi.as_view()),
    path("reports/<int:pk>/", apis.ReportDetailApi.as_view()),
    path("reports/<int:pk>/download/", apis.ReportDownloadApi.as_view()),
    # --- Approval ---
    path("assessments/<int:pk>/approve/", apis.AssessmentApproveApi.as_view()),
    path("assessments/<int:pk>/approval/reopen/", apis.AssessmentReopenApprovedApi.as_view()),
]
