from django.urls import path

from . import views

app_name = "reviews"
urlpatterns = [
    path("", views.PortfolioView.as_view(), name="portfolio"),
    path("open/", views.ReviewOpenView.as_view(), name="open"),
    path("<int:pk>/", views.ReviewDetailView.as_view(), name="detail"),
    path("<int:pk>/prepare/", views.ReviewPrepareView.as_view(), name="prepare"),
    path("<int:pk>/decide/", views.ReviewDecideView.as_view(), name="decide"),
]
