"""URLs of the portal (namespace "portal"), mounted at /portal/.

Families: /portal/ (home), /portal/invitation/<token>/ (the one-time link), /portal/children/<pk>/ with
notice/, consents/, youth-support/, requests/new/ and data-check/; /portal/requests/ and
/portal/requests/<pk>/; /portal/download/<token>.pdf|.zip (a released bundle, 24 hours, this user only).
Staff: /portal/staff/invitations/ (sign-ins per school), /portal/staff/pupils/<pk>/invite/,
/portal/staff/sign-ins/<pk>/resend/ and disable/, /portal/staff/data-checks/ (the review queue) and
/portal/staff/data-checks/<pk>/.
"""

from django.urls import path, re_path

from steward.portal import views, views_staff

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("invitation/<str:token>/", views.accept, name="accept"),
    path("children/<int:pk>/", views.child_page, name="child"),
    path("children/<int:pk>/notice/", views.notice, name="notice"),
    path("children/<int:pk>/consents/", views.consents, name="consents"),
    path("children/<int:pk>/youth-support/", views.youth_support, name="youth_support"),
    path("children/<int:pk>/requests/new/", views.request_new, name="request_new"),
    path("children/<int:pk>/data-check/", views.data_check, name="data_check"),
    path("requests/", views.request_list, name="requests"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    re_path(
        r"^download/(?P<token>[A-Za-z0-9_:-]+)\.(?P<what>pdf|zip)$",
        views.bundle_download,
        name="bundle_download",
    ),
    # staff
    path("staff/invitations/", views_staff.invitations_list, name="staff_invitations"),
    path("staff/invitations/find/", views_staff.find_pupil, name="staff_find_pupil"),
    path("staff/pupils/<int:pk>/invite/", views_staff.invite, name="staff_invite"),
    path("staff/sign-ins/<int:pk>/resend/", views_staff.resend, name="staff_resend"),
    path("staff/sign-ins/<int:pk>/disable/", views_staff.disable, name="staff_disable"),
    path("staff/data-checks/", views_staff.review_queue, name="staff_review_queue"),
    path("staff/data-checks/<int:pk>/", views_staff.review, name="staff_review"),
]
