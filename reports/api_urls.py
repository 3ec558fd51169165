"""The reports app's API under /api/v1/ (portal.urls includes it)."""

from django.urls import path

import portal.api.converters  # noqa: F401  (registers <id:...>)
from reports import apis

urlpatterns = [
    path("assessments/<id:pk>/reports/", apis.ReportListApi.as_view()),
    path("reports/verify/", apis.ReportVerifyApi.as_view()),
    path("reports/<id:pk>/", apis.ReportDetailApi.as_view()),
    path("reports/<id:pk>/download/", apis.ReportDownloadApi.as_view()),
    # --- Approval ---
    path("assessments/<id:pk>/approve/", apis.AssessmentApproveApi.as_view()),
    path("assessments/<id:pk>/approval/reopen/", apis.AssessmentReopenApprovedApi.as_view()),
]
