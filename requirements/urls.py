from django.urls import path

from . import views

app_name = "requirements"
urlpatterns = [
    path("", views.RequirementListView.as_view(), name="list"),
    path("new/", views.RequirementFormView.as_view(), name="create"),
    path("board/", views.RequirementBoardView.as_view(), name="board"),
    path("bulk/", views.requirement_bulk_view, name="bulk"),
    path("export/", views.RequirementExportView.as_view(), name="export"),
    path("import/<str:kind>/", views.ImportView.as_view(), name="import"),
    path("<int:pk>/", views.RequirementDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.RequirementFormView.as_view(), name="edit"),
    path("<int:pk>/transition/", views.requirement_transition_view, name="transition"),
    path("<int:pk>/comments/", views.comment_create_view, name="comment"),
    path("versions/", views.VersionListView.as_view(), name="version-list"),
    path("versions/new/", views.VersionFormView.as_view(), name="version-create"),
    path("versions/<int:pk>/", views.VersionDetailView.as_view(), name="version-detail"),
    path("versions/<int:pk>/edit/", views.VersionFormView.as_view(), name="version-edit"),
    path("versions/<int:pk>/release/", views.version_release_view, name="version-release"),
    path("feedback/", views.FeedbackListView.as_view(), name="feedback-list"),
    path("feedback/new/", views.FeedbackFormView.as_view(), name="feedback-create"),
    path("feedback/convert/", views.feedback_convert_view, name="feedback-convert"),
    path("feedback/export/", views.FeedbackExportView.as_view(), name="feedback-export"),
]
