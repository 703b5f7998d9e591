from rest_framework.routers import SimpleRouter

from .views import FeedbackViewSet, RequirementViewSet, VersionViewSet

router = SimpleRouter()
router.register("requirements", RequirementViewSet, basename="requirement")
router.register("versions", VersionViewSet, basename="version")
router.register("feedback", FeedbackViewSet, basename="feedback")
urlpatterns = router.urls
