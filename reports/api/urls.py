from django.urls import path

from .views import ReviewPackView

urlpatterns = [path("reviews/<int:pk>/pack.pdf", ReviewPackView.as_view(), name="review-pack")]
