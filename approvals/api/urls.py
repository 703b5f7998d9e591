from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("gate-reviews", views.GateReviewViewSet, basename="gate-review")
router.register("delegations", views.DelegationViewSet, basename="delegation")
router.register("conditions", views.ConditionViewSet, basename="condition")
urlpatterns = router.urls
