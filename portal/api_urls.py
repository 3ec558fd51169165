"""/api/v1/ and the OpenAPI schema."""

from csp.decorators import csp_update
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from assessments import apis as assessment_apis
from frameworks import apis as framework_apis
from portal import apis as portal_apis
from reports import apis as report_apis

v1 = [
    path("frameworks/", framework_apis.FrameworkListApi.as_view()),
    path("versions/", framework_apis.VersionListApi.as_view()),
    path("versions/<int:pk>/", framework_apis.VersionDetailApi.as_view()),
    path("versions/<int:pk>/sections/", framework_apis.SectionListApi.as_view()),
    path("versions/<int:pk>/provisions/", framework_apis.ProvisionListApi.as_view()),
    path("versions/<int:pk>/questions/", framework_apis.QuestionListApi.as_view()),
    path("versions/<int:pk>/diff/", framework_apis.VersionDiffApi.as_view()),
    path("versions/<int:pk>/clone/", framework_apis.VersionCloneApi.as_view()),
    path("versions/<int:pk>/publish/", framework_apis.VersionPublishApi.as_view()),
    path("versions/<int:pk>/retire/", framework_apis.VersionRetireApi.as_view()),
    path("provisions/<int:pk>/", framework_apis.ProvisionDetailApi.as_view()),
    path("questions/<int:pk>/", framework_apis.QuestionDetailApi.as_view()),
    path("organisations/", portal_apis.OrganisationListApi.as_view()),
    path("assessments/", assessment_apis.AssessmentListApi.as_view()),
    path("assessments/<int:pk>/", assessment_apis.AssessmentDetailApi.as_view()),
    path("assessments/<int:pk>/scoping/", assessment_apis.AssessmentScopingApi.as_view()),
    path("assessments/<int:pk>/submit/", assessment_apis.AssessmentSubmitApi.as_view()),
    path("assessments/<int:pk>/reopen/", assessment_apis.AssessmentReopenApi.as_view()),
    path("assessments/<int:pk>/upgrade/", assessment_apis.AssessmentUpgradeApi.as_view()),
    path("assessments/<int:pk>/answers/", assessment_apis.AnswerListApi.as_view()),
    path("assessments/<int:pk>/questions/<int:question_pk>/evidence/", assessment_apis.EvidenceListApi.as_view()),
    path("assessments/<int:pk>/evidence/<int:evidence_pk>/download/", assessment_apis.EvidenceDownloadApi.as_view()),
    path("assessments/<int:pk>/comments/", assessment_apis.CommentListApi.as_view()),
    path("assessments/<int:pk>/questionnaire/", assessment_apis.QuestionnaireApi.as_view()),
    path("assessments/<int:pk>/history/", assessment_apis.HistoryListApi.as_view()),
    path("assessments/<int:pk>/reports/", report_apis.ReportListApi.as_view()),
    path("reports/verify/", report_apis.ReportVerifyApi.as_view()),
    path("reports/<int:pk>/", report_apis.ReportDetailApi.as_view()),
    path("reports/<int:pk>/download/", report_apis.ReportDownloadApi.as_view()),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI sets inline styles; only its page relaxes style-src, scripts stay 'self' only.
    path("docs/", csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
]
