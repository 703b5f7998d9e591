from django.urls import path

from . import views

app_name = "exits"
urlpatterns = [
    path("", views.ExitPortfolioView.as_view(), name="portfolio"),
    path("products/<int:pk>/plan/", views.ExitPlanFormView.as_view(), name="plan-edit"),
    path("products/<int:pk>/progress/upload/", views.ProgressUploadView.as_view(), name="progress-upload"),
    path("tasks/<int:pk>/", views.ExitTaskActionView.as_view(), name="task-action"),
]
