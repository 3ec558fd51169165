"""The framework registry's API under /api/v1/ (portal.urls includes it)."""

from django.urls import path

import portal.api.converters  # noqa: F401  (registers <id:...>)
from frameworks import apis

urlpatterns = [
    path("frameworks/", apis.FrameworkListApi.as_view()),
    path("versions/", apis.VersionListApi.as_view()),
    path("versions/<id:pk>/", apis.VersionDetailApi.as_view()),
    path("versions/<id:pk>/sections/", apis.SectionListApi.as_view()),
    path("versions/<id:pk>/provisions/", apis.ProvisionListApi.as_view()),
    path("versions/<id:pk>/questions/", apis.QuestionListApi.as_view()),
    path("versions/<id:pk>/diff/", apis.VersionDiffApi.as_view()),
    path("versions/<id:pk>/clone/", apis.VersionCloneApi.as_view()),
    path("versions/<id:pk>/publish/", apis.VersionPublishApi.as_view()),
    path("versions/<id:pk>/retire/", apis.VersionRetireApi.as_view()),
    path("provisions/<id:pk>/", apis.ProvisionDetailApi.as_view()),
    path("questions/<id:pk>/", apis.QuestionDetailApi.as_view()),
]
