"""The assessments app's API under /api/v1/ (portal.urls includes it)."""

from django.urls import path

from assessments import apis

urlpatterns = [
    path("assessments/", apis.AssessmentListApi.as_view()),
    path("assessments/<int:pk>/", apis.AssessmentDetailApi.as_view()),
    path("assessments/<int:pk>/scoping/", apis.AssessmentScopingApi.as_view()),
    path("assessments/<int:pk>/submit/", apis.AssessmentSubmitApi.as_view()),
    path("assessments/<int:pk>/reopen/", apis.AssessmentReopenApi.as_view()),
    path("assessments/<int:pk>/upgrade/", apis.AssessmentUpgradeApi.as_view()),
    path("assessments/<int:pk>/answers/", apis.AnswerListApi.as_view()),
    path(
        "assessments/<int:pk>/questions/<int:question_pk>/evidence/", apis.EvidenceListApi.as_view()
    ),
    path(
        "assessments/<int:pk>/evidence/<int:evidence_pk>/download/",
        apis.EvidenceDownloadApi.as_view(),
    ),
    path("assessments/<int:pk>/comments/", apis.CommentListApi.as_view()),
    path("assessments/<int:pk>/questionnaire/", apis.QuestionnaireApi.as_view()),
    path("assessments/<int:pk>/history/", apis.HistoryListApi.as_view()),
    # --- Remediation actions ---
    path("actions/", apis.ActionListApi.as_view()),
    path("actions/<int:pk>/", apis.ActionDetailApi.as_view()),
]
