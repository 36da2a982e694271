"""URLs of the staff sharing pages (namespace "sharing"), mounted at /sharing/.

/sharing/?school=URN is a school's overview (recent shares, notice-review flags, child protection files
owed, the disclosure log's check with ?verify=1); youth-support/, statutory/, adhoc/, ctf/ and
agreements/ are the shares and records of each kind; download/<token>/ sends a package just made, once.
Alternative provision placements are under /placements/.
"""

from django.urls import path

from steward.sharing import views, views_adhoc, views_ctf

app_name = "sharing"
urlpatterns = [
    path("", views.index, name="index"),
    path("flags/<int:pk>/resolve/", views.flag_resolve, name="flag_resolve"),
    path("child-protection/<int:pk>/sent/", views.cp_sent, name="cp_sent"),
    path("download/<str:token>/", views.download, name="download"),
    path("youth-support/", views.youth_support, name="youth_support"),
    path("statutory/", views.statutory, name="statutory"),
    path("adhoc/", views_adhoc.adhoc_list, name="adhoc_list"),
    path("adhoc/new/", views_adhoc.adhoc_create, name="adhoc_create"),
    path("adhoc/<int:pk>/", views_adhoc.adhoc_detail, name="adhoc_detail"),
    path("adhoc/<int:pk>/decide/", views_adhoc.adhoc_decide_view, name="adhoc_decide"),
    path("ctf/", views_ctf.ctf, name="ctf"),
    path("ctf/export/", views_ctf.ctf_export, name="ctf_export"),
    path("ctf/import/", views_ctf.ctf_import, name="ctf_import"),
    path("agreements/", views_ctf.agreements, name="agreements"),
    path("agreements/new/", views_ctf.agreement_create, name="agreement_create"),
]
