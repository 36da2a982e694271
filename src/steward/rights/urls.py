"""URLs of the rights-request pages (namespace "rights"), mounted at /requests/.

/requests/ is the dashboard, /requests/new/ logs a request, /requests/<pk>/ is one request, and each
action on it has its own small page, /requests/<pk>/<action>/, named after the action ("rights:assign",
"rights:identity-verified", ...; see views.ACTS). The response work of access and portability requests
(views_work: "rights:response", searches, bundle builds and downloads, the redaction review) and the outcome
pages of the other kinds (views_outcomes: "rights:rectify", "rights:erasure", ...) follow the same pattern.
"""

from django.urls import path

from steward.rights import views, views_outcomes, views_work

app_name = "rights"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.detail, name="detail"),
    *(path(f"<int:pk>/{slug}/", views.action, {"slug": slug}, name=slug) for slug in views.ACTS),
    # The response to an access or portability request (views_work): searches, bundles, the review.
    path("<int:pk>/response/", views_work.response, name="response"),
    path("<int:pk>/searches/new/", views_work.task_create, name="task-new"),
    path("<int:pk>/searches/<int:task_pk>/complete/", views_work.task_complete, name="task-complete"),
    path("<int:pk>/searches/<int:task_pk>/cancel/", views_work.task_cancel, name="task-cancel"),
    path("<int:pk>/bundle/", views_work.bundle_build, name="bundle"),
    path("<int:pk>/bundle/<int:bundle_pk>/pdf/", views_work.bundle_file, {"what": "pdf"}, name="bundle-pdf"),
    path("<int:pk>/bundle/<int:bundle_pk>/zip/", views_work.bundle_file, {"what": "zip"}, name="bundle-zip"),
    path("<int:pk>/review/", views_work.review_screen, name="review"),
    path("<int:pk>/review/propose/", views_work.review_propose, name="review-propose"),
    path("<int:pk>/review/marks/<int:mark_pk>/", views_work.review_decide, name="review-decide"),
    path("<int:pk>/review/accept-all/", views_work.review_accept_all, name="review-accept-all"),
    path("<int:pk>/review/add/", views_work.review_add, name="review-add"),
    path("<int:pk>/review/done/", views_work.review_done, name="review-done"),
    # Applying the outcome of the other kinds (views_outcomes), one page each.
    path("<int:pk>/rectify/", views_outcomes.rectify, name="rectify"),
    path("<int:pk>/erasure/", views_outcomes.erasure, name="erasure"),
    path("<int:pk>/restrict/", views_outcomes.restrict, name="restrict"),
    path("<int:pk>/restrictions/<int:restriction_pk>/lift/", views_outcomes.lift, name="lift-restriction"),
    path("<int:pk>/objection/", views_outcomes.objection, name="objection"),
    path("<int:pk>/objection-pending/", views_outcomes.objection_pending, name="objection-pending"),
    path("<int:pk>/youth-support/", views_outcomes.youth_support, name="youth-support"),
    path("<int:pk>/opt-down/", views_outcomes.opt_down, name="opt-down"),
    path("<int:pk>/consent/", views_outcomes.consent, name="consent"),
]
