from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("product-reviews", views.ProductReviewViewSet, basename="product-review")
urlpatterns = router.urls
