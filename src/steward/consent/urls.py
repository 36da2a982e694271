"""URLs of the staff consent pages (namespace "consent"), mounted at /consent/.

/consent/?school=URN is a school's overview (&group=7B lists one registration group's pupils);
/consent/pupils/<pk>/ is a pupil's consents and ledger, /consent/pupils/<pk>/record/ records a decision;
/consent/deletions/?school=URN lists biometric deletion tasks, /consent/deletions/<pk>/done/ completes one;
/consent/photos/?school=URN previews (?use=) and downloads (POST) the photo export.
"""

from django.urls import path

from steward.consent import views

app_name = "consent"
urlpatterns = [
    path("", views.index, name="index"),
    path("pupils/<int:pk>/", views.pupil, name="pupil"),
    path("pupils/<int:pk>/record/", views.record_decision, name="record"),
    path("deletions/", views.tasks, name="tasks"),
    path("deletions/<int:pk>/done/", views.task_done, name="task_done"),
    path("photos/", views.photos, name="photos"),
]
