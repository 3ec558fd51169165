from django.urls import path

from frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("versions/<int:pk>/", views.version_detail, name="version"),
    path(
        "versions/<int:pk>/provisions/<int:provision_pk>/", views.provision_detail, name="provision"
    ),
    path("versions/<int:pk>/clone/", views.version_clone, name="clone"),
    path("versions/<int:pk>/publish/", views.version_publish, name="publish"),
    path("versions/<int:pk>/retire/", views.version_retire, name="retire"),
    path("versions/<int:pk>/delete/", views.version_delete, name="delete"),
    path("<int:framework_pk>/diff/", views.version_diff, name="diff"),
    path("versions/<int:pk>/oscal.json", views.version_oscal, name="oscal"),
    path("oscal/import/", views.oscal_import, name="oscal_import"),
]
