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
    # --- Assignments ---
    path("my-work/", views.my_work, name="my_work"),
    path("<int:pk>/mine/", views.mine, name="mine"),
    path("<int:pk>/assignments/", views.assignments, name="assignments"),
    path(
        "<int:pk>/assignments/<int:assignment_pk>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
    path("<int:pk>/plan/", views.assessment_plan, name="plan"),
    # --- Remediation actions ---
    path("actions/", views.action_plan, name="action_plan"),
    path("<int:pk>/actions/", views.assessment_actions, name="actions"),
    path("actions/<int:action_pk>/", views.action_detail, name="action_detail"),
    path(
        "actions/<int:action_pk>/evidence/",
        views.action_evidence_upload,
        name="action_evidence_upload",
    ),
    path(
        "actions/<int:action_pk>/evidence/<int:evidence_pk>/",
        views.action_evidence_download,
        name="action_evidence_download",
    ),
    # --- Questionnaire filters and search ---
    path("<int:pk>/questions/", views.questions, name="questions"),
    # --- A whole section not applicable ---
    path(
        "<int:pk>/sections/<int:section_pk>/not-applicable/",
        views.section_not_applicable,
        name="section_not_applicable",
    ),
]
