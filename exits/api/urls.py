from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("exit-tasks", views.ExitTaskViewSet, basename="exit-task")
urlpatterns = [
    path("products/<int:product_pk>/exit-plan/", views.ExitPlanView.as_view(), name="product-exit-plan"),
    path("products/<int:product_pk>/exit-plan/progress/", views.ExitProgressView.as_view(),
         name="product-exit-progress"),
    *router.urls,
]
