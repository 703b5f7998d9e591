from django.urls import path

from .views import RoadmapAPIView

urlpatterns = [path("roadmap/", RoadmapAPIView.as_view(), name="roadmap")]
