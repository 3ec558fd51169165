"""The framework registry's API under /api/v1/ (portal.urls includes it)."""

from django.urls import path

from frameworks import apis

urlpatterns = [
    path("frameworks/", apis.FrameworkListApi.as_view()),
    path("versions/", apis.VersionListApi.as_view()),
    path("versions/<int:pk>/", apis.VersionDetailApi.as_view()),
    path("versions/<int:pk>/sections/", apis.SectionListApi.as_view()),
    path("versions/<int:pk>/provisions/", apis.ProvisionListApi.as_view()),
    path("versions/<int:pk>/questions/", apis.QuestionListApi.as_view()),
    path("versions/<int:pk>/diff/", apis.VersionDiffApi.as_view()),
    path("versions/<int:pk>/clone/", apis.VersionCloneApi.as_view()),
    path("versions/<int:pk>/publish/", apis.VersionPublishApi.as_view()),
    path("versions/<int:pk>/retire/", apis.VersionRetireApi.as_view()),
    path("provisions/<int:pk>/", apis.ProvisionDetailApi.as_view()),
    path("questions/<int:pk>/", apis.QuestionDetailApi.as_view()),
]
