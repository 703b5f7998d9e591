from django.urls import path

from . import views

app_name = "changes"
urlpatterns = [
    path("products/<int:pk>/new/", views.ChangeCreateView.as_view(), name="create"),
    path("<int:pk>/", views.ChangeDetailView.as_view(), name="detail"),
    *[path(f"<int:pk>/{name}/", views.ChangeActionView.as_view(action=name), name=name)
      for name in ("submit", "pilot", "rollout", "override", "withdraw")],
]
