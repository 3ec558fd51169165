from django.urls import path

from assessments import views

app_name = "assessments"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.assessment_create, name="create"),
    path("<id:pk>/", views.assessment_detail, name="detail"),
    path("<id:pk>/scoping/", views.scoping_edit, name="scoping"),
    path("<id:pk>/sections/<id:section_pk>/", views.section, name="section"),
    path("<id:pk>/questions/<id:question_pk>/answer/", views.answer_save, name="answer"),
    path(
        "<id:pk>/questions/<id:question_pk>/evidence/",
        views.evidence_upload,
        name="evidence_upload",
    ),
    path("<id:pk>/evidence/<id:evidence_pk>/", views.evidence_download, name="evidence_download"),
    path(
        "<id:pk>/evidence/<id:evidence_pk>/delete/", views.evidence_delete, name="evidence_delete"
    ),
    path("<id:pk>/submit/", views.assessment_submit, name="submit"),
    path("<id:pk>/reopen/", views.assessment_reopen, name="reopen"),
    path("<id:pk>/history/", views.history, name="history"),
    path("<id:pk>/upgrade/<id:pin_pk>/", views.upgrade, name="upgrade"),
    path("<id:pk>/export.xlsx", views.questionnaire_export, name="export_xlsx"),
    path("<id:pk>/import/", views.questionnaire_import, name="import_xlsx"),
    # --- Reviews ---
    path("<id:pk>/return/", views.assessment_return, name="return"),
    path("<id:pk>/reviews/", views.review_list, name="reviews"),
    path("<id:pk>/questions/<id:question_pk>/review/", views.question_review, name="review"),
    path(
        "<id:pk>/questions/<id:question_pk>/comments/",
        views.review_comment,
        name="review_comment",
    ),
    path(
        "<id:pk>/questions/<id:question_pk>/resolve/",
        views.review_resolve,
        name="review_resolve",
    ),
]
