from django.urls import path

from . import target_views, views

app_name = "kpis"
urlpatterns = [
    path("", views.DashboardView.as_view(), name="dashboard"),
    path("products/<int:pk>/", views.ProductKpiView.as_view(), name="product"),
    path("alerts/", views.AlertListView.as_view(), name="alert-list"),
    path("alerts/<int:pk>/<slug:action>/", views.AlertActionView.as_view(), name="alert-action"),
    path("scorecards/", views.ScorecardView.as_view(), name="scorecards"),
    path("upload/", views.ObservationUploadView.as_view(), name="upload"),
    path("targets/", target_views.TargetPlanView.as_view(), name="targets"),
]
