from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.assessment_create, name="create"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/scoping/", views.scoping_edit, name="scoping"),
    path("<int:pk>/sections/<int:section_pk>/", views.section, name="section"),
    path("<int:pk>/questions/<int:question_pk>/answer/", views.answer_save, name="answer"),
    path(
        "<int:pk>/questions/<int:question_pk>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path(
        "<int:pk>/evidence/<int:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"
    ),
    path("<int:pk>/submit/", views.assessment_submit, name="submit"),
    path("<int:pk>/reopen/", views.assessment_reopen, name="reopen"),
    path("<int:pk>/history/", views.history, name="history"),
    path("<int:pk>/upgrade/<int:pin_pk>/", views.upgrade, name="upgrade"),
    path("<int:pk>/export.xlsx", views.questionnaire_export, name="export_xlsx"),
    path("<int:pk>/import/", views.questionnaire_import, name="import_xlsx"),
    # --- Reviews ---
    path("<int:pk>/return/", views.assessment_return, name="return"),
    path("<int:pk>/reviews/", views.review_list, name="reviews"),
    path("<int:pk>/questions/<int:question_pk>/review/", views.question_review, name="review"),
    path(
        "<int:pk>/questions/<int:question_pk>/comments/",
        views.review_comment,
        name="review_comment",
    ),
    path(
        "<int:pk>/questions/<int:question_pk>/resolve/",
        views.review_resolve,
        name="review_resolve",
    ),
]
