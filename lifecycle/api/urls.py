from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("deliverables", views.DeliverableViewSet, basename="deliverable")
urlpatterns = [
    path("products/<int:product_pk>/deliverables/", views.ProductDeliverableListView.as_view(),
         name="product-deliverables"),
    path("products/<int:product_pk>/gate-reviews/", views.ProductGateReviewListView.as_view(),
         name="product-gate-reviews"),
    path("products/<int:product_pk>/history/", views.ProductHistoryView.as_view(), name="product-history"),
    *router.urls,
]
