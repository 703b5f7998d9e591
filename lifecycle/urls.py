from django.urls import path

from . import views

app_name = "lifecycle"
urlpatterns = [
    path("reviews/", views.MyReviewsView.as_view(), name="my_reviews"),
    path("my-products/", views.MyProductsView.as_view(), name="my_products"),
    path("steps/<int:pk>/decide/", views.StepDecideView.as_view(), name="step_decide"),
    path("steps/decide/", views.StepBulkDecideView.as_view(), name="steps_decide_bulk"),
    path("products/<int:pk>/submit/", views.GateSubmitView.as_view(), name="gate_submit"),
    path("products/<int:pk>/gate/", views.GateReviewCardView.as_view(), name="gate_panel"),
    path("products/<int:pk>/history/", views.ProductHistoryView.as_view(), name="product_history"),
    path("deliverables/<int:pk>/", views.DeliverableUpdateView.as_view(), name="deliverable_update"),
    path("deliverables/<int:pk>/waiver/", views.DeliverableWaiverDecideView.as_view(), name="deliverable_waiver"),
    path("deliverables/<int:pk>/attachment/", views.DeliverableAttachmentView.as_view(), name="deliverable_attachment"),
]
