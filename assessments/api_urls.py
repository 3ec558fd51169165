"""The assessments app's API under /api/v1/ (portal.urls includes it)."""

from django.urls import path

import portal.api.converters  # noqa: F401  (registers <id:...>)
from assessments import apis

urlpatterns = [
    path("assessments/", apis.AssessmentListApi.as_view()),
    path("assessments/<id:pk>/", apis.AssessmentDetailApi.as_view()),
    path("assessments/<id:pk>/scoping/", apis.AssessmentScopingApi.as_view()),
    path("assessments/<id:pk>/submit/", apis.AssessmentSubmitApi.as_view()),
    path("assessments/<id:pk>/reopen/", apis.AssessmentReopenApi.as_view()),
    path("assessments/<id:pk>/upgrade/", apis.AssessmentUpgradeApi.as_view()),
    path("assessments/<id:pk>/answers/", apis.AnswerListApi.as_view()),
    path(
        "assessments/<id:pk>/questions/<id:question_pk>/evidence/", apis.EvidenceListApi.as_view()
    ),
    path(
        "assessments/<id:pk>/evidence/<id:evidence_pk>/download/",
        apis.EvidenceDownloadApi.as_view(),
    ),
    path("assessments/<id:pk>/comments/", apis.CommentListApi.as_view()),
    path("assessments/<id:pk>/questionnaire/", apis.QuestionnaireApi.as_view()),
    path("assessments/<id:pk>/history/", apis.HistoryListApi.as_view()),
    # --- Reviews ---
    path("assessments/<id:pk>/return/", apis.AssessmentReturnApi.as_view()),
    path("assessments/<id:pk>/reviews/", apis.QuestionReviewListApi.as_view()),
    path(
        "assessments/<id:pk>/questions/<id:question_pk>/comments/",
        apis.ReviewCommentListApi.as_view(),
    ),
    path(
        "assessments/<id:pk>/questions/<id:question_pk>/resolve/",
        apis.ReviewResolveApi.as_view(),
    ),
    # --- Remediation actions ---
    path("actions/", apis.ActionListApi.as_view()),
    path("actions/<id:pk>/", apis.ActionDetailApi.as_view()),
]
