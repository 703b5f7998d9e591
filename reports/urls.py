from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.PackListView.as_view(), name="packs"),
    path("packs/<int:pk>.<str:fmt>", views.PackFileView.as_view(), name="pack_file"),
]
