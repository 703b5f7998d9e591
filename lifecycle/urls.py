from django.urls import path

from approvals.urls import urlpatterns as approval_patterns

from . import views

app_name = "lifecycle"
urlpatterns = [
    *approval_patterns,  # the engine's queue, decisions, delegations and conditions keep their lifecycle URLs
    path("my-products/", views.MyProductsView.as_view(), name="my_products"),
    path("products/<int:pk>/submit/", views.GateSubmitView.as_view(), name="gate_submit"),
    path("products/<int:pk>/gate/", views.GateReviewCardView.as_view(), name="gate_panel"),
    path("products/<int:pk>/history/", views.ProductHistoryView.as_view(), name="product_history"),
    path("deliverables/<int:pk>/", views.DeliverableUpdateView.as_view(), name="deliverable_update"),
    path("deliverables/<int:pk>/waiver/", views.DeliverableWaiverDecideView.as_view(), name="deliverable_waiver"),
    path("deliverables/<int:pk>/attachment/", views.DeliverableAttachmentView.as_view(), name="deliverable_attachment"),
]
