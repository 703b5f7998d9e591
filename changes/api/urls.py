from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("changes", views.ChangeViewSet, basename="change")
urlpatterns = [
    path("products/<int:product_pk>/changes/", views.ProductChangeListView.as_view(), name="product-changes"),
    path("products/<int:product_pk>/terms/", views.ProductTermsListView.as_view(), name="product-terms"),
    *router.urls,
]
