from django.urls import path

from . import views

app_name = "complaints"
urlpatterns = [
    path("", views.ComplaintListView.as_view(), name="list"),
    path("<int:pk>/", views.ComplaintDetailView.as_view(), name="detail"),
    path("from-feedback/<int:pk>/", views.FromFeedbackView.as_view(), name="from-feedback"),
    path("upload/", views.ComplaintUploadView.as_view(), name="upload"),
]
