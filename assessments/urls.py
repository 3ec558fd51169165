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
    # --- Assignments ---
    path("my-work/", views.my_work, name="my_work"),
    path("<id:pk>/mine/", views.mine, name="mine"),
    path("<id:pk>/assignments/", views.assignments, name="assignments"),
    path(
        "<id:pk>/assignments/<id:assignment_pk>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
    path("<id:pk>/plan/", views.assessment_plan, name="plan"),
    # --- Remediation actions ---
    path("actions/", views.action_plan, name="action_plan"),
    path("<id:pk>/actions/", views.assessment_actions, name="actions"),
    path("actions/<id:action_pk>/", views.action_detail, name="action_detail"),
    path(
        "actions/<id:action_pk>/evidence/",
        views.action_evidence_upload,
        name="action_evidence_upload",
    ),
    path(
        "actions/<id:action_pk>/evidence/<id:evidence_pk>/",
        views.action_evidence_download,
        name="action_evidence_download",
    ),
    # --- Questionnaire filters and search ---
    path("<id:pk>/questions/", views.questions, name="questions"),
    # --- A whole section not applicable ---
    path(
        "<id:pk>/sections/<id:section_pk>/not-applicable/",
        views.section_not_applicable,
        name="section_not_applicable",
    ),
]
