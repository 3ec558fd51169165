from django.urls import path

from frameworks import views

app_name = "frameworks"

urlpatterns = [
    path("", views.catalog, name="catalog"),
    path("versions/<id:pk>/", views.version_detail, name="version"),
    path(
        "versions/<id:pk>/provisions/<id:provision_pk>/", views.provision_detail, name="provision"
    ),
    path("versions/<id:pk>/clone/", views.version_clone, name="clone"),
    path("versions/<id:pk>/publish/", views.version_publish, name="publish"),
    path("versions/<id:pk>/retire/", views.version_retire, name="retire"),
    path("versions/<id:pk>/delete/", views.version_delete, name="delete"),
    path("<id:framework_pk>/diff/", views.version_diff, name="diff"),
    path("versions/<id:pk>/oscal.json", views.version_oscal, name="oscal"),
    path("oscal/import/", views.oscal_import, name="oscal_import"),
]
