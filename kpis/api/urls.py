from rest_framework.routers import SimpleRouter

from .views import AlertViewSet, MetricViewSet, ScorecardViewSet, SnapshotViewSet, TaskViewSet

router = SimpleRouter()
router.register("metrics", MetricViewSet, basename="metric")
router.register("kpi-snapshots", SnapshotViewSet, basename="kpi-snapshot")
router.register("tasks", TaskViewSet, basename="task")
router.register("alerts", AlertViewSet, basename="alert")
router.register("scorecards", ScorecardViewSet, basename="scorecard")
urlpatterns = router.urls
