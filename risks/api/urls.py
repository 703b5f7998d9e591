from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("risks", views.RiskViewSet, basename="risk")
urlpatterns = [
    path("products/<int:product_pk>/risks/", views.ProductRiskListView.as_view(), name="product-risks"),
    *router.urls,
]
