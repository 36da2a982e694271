"""URLs of the register pages (namespace "register"), mounted at /register/.

A trust's register is /register/<trust>/; one school's view of it is /register/<trust>/schools/<school>/.
Rows are addressed by kind (purposes, categories, recipients, systems, retention, consents) and id, whichever
school they belong to; pages that act for one school on a trust row (override, leave out) name both.
"""

from django.urls import path, register_converter

from steward.register import views


class KindConverter:
    """The kinds of register row that have pages (see views.KINDS)."""

    regex = "purposes|categories|recipients|systems|retention|consents"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(KindConverter, "kind")

T = "<int:trust_id>/"
S = "<int:trust_id>/schools/<int:school_id>/"
P = "<int:trust_id>/purposes/<int:pk>/"

app_name = "register"
urlpatterns = [
    path("", views.index, name="index"),
    path(T, views.overview, name="overview"),
    path(S, views.overview, name="school_overview"),
    path(T + "load-defaults/", views.load_defaults, name="load_defaults"),
    path(T + "history/", views.history, name="history"),
    path(T + "facts/", views.facts_edit, name="facts"),
    path(S + "facts/", views.facts_edit, name="school_facts"),
    path(T + "systems/pick/", views.system_pick, name="system_pick"),
    path(S + "systems/pick/", views.system_pick, name="school_system_pick"),
    path(T + "consents/<int:pk>/view/", views.consent_detail, name="consent_detail"),
    path(T + "<kind:kind>/new/", views.row_create, name="row_create"),
    path(S + "<kind:kind>/new/", views.row_create, name="school_row_create"),
    path(T + "<kind:kind>/<int:pk>/", views.row_edit, name="row_edit"),
    path(T + "<kind:kind>/<int:pk>/remove/", views.row_remove, name="row_remove"),
    path(T + "<kind:kind>/<int:pk>/history/", views.row_history, name="row_history"),
    path(S + "<kind:kind>/<int:pk>/override/", views.row_override, name="row_override"),
    path(S + "<kind:kind>/<int:pk>/disable/", views.row_disable, name="row_disable"),
    path(P + "bases/new/", views.basis_create, name="basis_create"),
    path(P + "bases/<int:basis_id>/", views.basis_edit, name="basis_edit"),
    path(P + "bases/<int:basis_id>/remove/", views.basis_remove, name="basis_remove"),
    path(P + "conditions/new/", views.condition_create, name="condition_create"),
    path(P + "conditions/<int:condition_id>/remove/", views.condition_remove, name="condition_remove"),
]
