"""The engine's pages, routed under /lifecycle/ with the names they always had (`lifecycle:my_reviews`, ...):
lifecycle/urls.py adds these patterns to its own, so links, bookmarks and reversals are unchanged."""
from django.urls import path

from . import delegation_views, views

urlpatterns = [
    path("reviews/", views.MyReviewsView.as_view(), name="my_reviews"),
    path("delegations/", delegation_views.DelegationPageView.as_view(), name="delegations"),
    path("delegations/<int:pk>/end/", delegation_views.DelegationEndView.as_view(), name="delegation_end"),
    path("steps/<int:pk>/decide/", views.StepDecideView.as_view(), name="step_decide"),
    path("steps/decide/", views.StepBulkDecideView.as_view(), name="steps_decide_bulk"),
    path("conditions/<int:pk>/", views.ConditionActionView.as_view(), name="condition_action"),
]
