from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.AuditListView.as_view(), name="audit"),
    path("verification/", views.AuditVerificationStartView.as_view(), name="verification-start"),
    path("verification/<uuid:pk>/", views.AuditVerificationStatusView.as_view(), name="verification-status"),
]
