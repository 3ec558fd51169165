from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

import portal.api.converters  # noqa: F401  (registers <id:...> for every app's URL conf)
from portal import api_urls
from portal import views as portal_views

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="assessments:dashboard", permanent=False)),
    path("organisations/switch/", portal_views.organisation_switch, name="organisation_switch"),
    path("assessments/", include("assessments.urls")),
    path("", include("reports.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", portal_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_urls.v1)),
    path("api/v1/", include("frameworks.api_urls")),
    path("api/v1/", include("assessments.api_urls")),
    path("api/v1/", include("reports.api_urls")),
    path("api/", include(api_urls.urlpatterns)),
    path("healthz", portal_views.healthz, name="healthz"),
    path("accounts/tokens/", portal_views.api_tokens, name="api_tokens"),
    path("admin/", admin.site.urls),
    path("frameworks/", include("frameworks.urls")),
    # --- Organisation settings ---
    path(
        "organisations/<int:pk>/settings/",
        portal_views.organisation_settings,
        name="organisation_settings",
    ),
]

# --- Health and metrics (issue 14) ---
from portal import metrics as portal_metrics  # noqa: E402

urlpatterns += [
    path("livez", portal_views.livez, name="livez"),
    path("readyz", portal_views.readyz, name="readyz"),
    path("metrics", portal_metrics.metrics, name="metrics"),
    # --- People ---
    path("organisations/<int:org>/members/", portal_views.members, name="members"),
    path(
        "organisations/<int:org>/members/<int:pk>/role/",
        portal_views.member_role,
        name="member_role",
    ),
    path(
        "organisations/<int:org>/members/<int:pk>/remove/",
        portal_views.member_remove,
        name="member_remove",
    ),
    path(
        "organisations/<int:org>/invitations/<int:pk>/revoke/",
        portal_views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "accounts/invitations/",
        RedirectView.as_view(url="/", permanent=False),
        name="invitation_accept_base",
    ),
    path(
        "accounts/invitations/<str:token>/",
        portal_views.invitation_accept,
        name="invitation_accept",
    ),
    path("accounts/notifications/", portal_views.notifications, name="notifications"),
    path(
        "accounts/password/reset/",
        portal_views.PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        portal_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        portal_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/complete/",
        portal_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

# The API answers errors as JSON, never with an HTML page.
handler404 = "portal.views.not_found"
handler500 = "portal.views.server_error"
