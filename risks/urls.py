from django.urls import path

from . import views

app_name = "risks"
urlpatterns = [
    path("", views.RiskListView.as_view(), name="list"),
    path("products/<int:pk>/", views.ProductRiskListView.as_view(), name="product"),
    path("products/<int:pk>/new/", views.RiskFormView.as_view(), name="create"),
    path("<int:pk>/", views.RiskDetailView.as_view(), name="detail"),
    path("<int:risk_pk>/edit/", views.RiskFormView.as_view(), name="edit"),
    path("<int:pk>/review/", views.RiskActionView.as_view(action="review"), name="review"),
    path("<int:pk>/accept/", views.RiskActionView.as_view(action="accept"), name="accept"),
    path("<int:pk>/close/", views.RiskActionView.as_view(action="close"), name="close"),
]
