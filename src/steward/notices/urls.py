"""URLs of the notice pages (namespace "notices"), mounted at /notices/.

Public: /notices/<urn>/ (a school's published notices), /notices/<urn>/<audience>/ (the notice in
effect, `?on=YYYY-MM-DD` for a past date), .pdf, and /v<N>/ for each version. Staff: the index, the
checker upload, and /notices/manage/<urn>/<audience>/ (preview and publish, drafts, history).
"""

from django.urls import path, register_converter

from steward.notices import views
from steward.notices.audiences import AUDIENCES


class AudienceConverter:
    # Longest first, so "pupil-young" is not read as "pupil".
    regex = "|".join(sorted(AUDIENCES, key=len, reverse=True))

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class UrnConverter:
    regex = "[0-9]{6}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class DraftFormatConverter:
    regex = "md|txt|html|pdf"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AudienceConverter, "notice_audience")
register_converter(UrnConverter, "notice_urn")
register_converter(DraftFormatConverter, "notice_fmt")

app_name = "notices"
urlpatterns = [
    # staff
    path("", views.index, name="index"),
    path("check/", views.check, name="check"),
    path("manage/<notice_urn:urn>/<notice_audience:audience>/", views.preview, name="preview"),
    path(
        "manage/<notice_urn:urn>/<notice_audience:audience>/draft.<notice_fmt:fmt>", views.draft, name="draft"
    ),
    path("manage/<notice_urn:urn>/<notice_audience:audience>/history/", views.history, name="history"),
    # public
    path("<notice_urn:urn>/", views.public_school, name="public_school"),
    path("<notice_urn:urn>/<notice_audience:audience>/", views.public_notice, name="public"),
    path("<notice_urn:urn>/<notice_audience:audience>.pdf", views.public_pdf, name="public_pdf"),
    path(
        "<notice_urn:urn>/<notice_audience:audience>/v<int:number>/",
        views.public_version,
        name="public_version",
    ),
    path(
        "<notice_urn:urn>/<notice_audience:audience>/v<int:number>.pdf",
        views.public_version_pdf,
        name="public_version_pdf",
    ),
]
