from django.urls import path

from . import views

app_name = "roadmap"
urlpatterns = [
    path("", views.RoadmapView.as_view(), name="roadmap"),
    path("products/<int:pk>/plans/", views.RoadmapPlanSetView.as_view(), name="plan_set"),
    path("plans/<int:pk>/clear/", views.RoadmapPlanClearView.as_view(), name="plan_clear"),
]
