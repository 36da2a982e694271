"""The personal-data registry: complete, classified, enforced by `steward check`."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.test.utils import isolate_apps

from steward.people.models import Pupil
from steward.registry.checks import registry_errors
from steward.registry.registry import classifiable_fields, clear_cache, registered_models
from steward.registry.taxonomy import TaxonomyError, parse_taxonomy, taxonomy


def test_check_passes() -> None:
    call_command("check")


def test_unclassified_field_on_a_registered_model_fails_the_check(monkeypatch: pytest.MonkeyPatch) -> None:
    fields = dict(Pupil.PersonalData.fields)
    del fields["ethnicity"]
    monkeypatch.setattr(Pupil.PersonalData, "fields", fields)
    clear_cache()
    try:
        with pytest.raises(SystemCheckError) as exc:
            call_command("check")
        assert "people.Pupil.ethnicity is not classified in the personal-data registry" in str(exc.value)
    finally:
        monkeypatch.undo()
        clear_cache()


@isolate_apps("steward.records")
def test_a_new_field_without_category_is_named() -> None:
    class Scratch(models.Model):
        pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
        shoe_size = models.CharField(max_length=3)

        class PersonalData:
            subject = "pupil"
            subject_path = "pupil"
            fields = {"id": "system.key", "pupil": "system.key"}

        class Meta:
            app_label = "records"

    errors = registry_errors([Scratch])
    assert [(e.id, e.msg) for e in errors] == [
        ("steward.E003", "records.Scratch.shoe_size is not classified in the personal-data registry")
    ]


@isolate_apps("steward.records")
def test_a_model_linking_to_a_pupil_must_be_registered() -> None:
    class Unregistered(models.Model):
        pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")

        class Meta:
            app_label = "records"

    errors = registry_errors([Unregistered])
    assert [e.id for e in errors] == ["steward.E001"]
    assert "records.Unregistered links to a data subject (pupil -> people.Pupil)" in errors[0].msg


@isolate_apps("steward.records")
def test_unknown_category_and_bad_paths_are_reported() -> None:
    class Bad(models.Model):
        pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="+")
        note = models.TextField()

        class PersonalData:
            subject = "pupils"
            subject_path = "pupil"
            retention_from = "pupil__date_of_death"
            fields = {
                "id": "system.key",
                "pupil": "system.key",
                "note": "pupil.gossip",
                "ghost": "pupil.note",
            }

        class Meta:
            app_label = "records"

    ids = sorted(e.id for e in registry_errors([Bad]))
    assert ids == ["steward.E002", "steward.E004", "steward.E005", "steward.E006"]


def test_registry_json_lists_every_registered_model_with_every_field_classified() -> None:
    out = io.StringIO()
    call_command("registry", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["taxonomy_version"] == taxonomy().version
    listed = {m["model"]: m for m in data["models"]}
    declared = {m._meta.label for m in apps.get_models() if hasattr(m, "PersonalData")}
    assert set(listed) == declared
    for label, item in listed.items():
        model = apps.get_model(label)
        assert [f["name"] for f in item["fields"]] == classifiable_fields(model), label
        assert item["subject"] in {"pupil", "contact", "staff"}
        for f in item["fields"]:
            assert set(f) >= {"name", "category", "special"}
            assert f["category"] in taxonomy()


def test_registry_covers_the_category_records_the_issue_names() -> None:
    labels = {e.label for e in registered_models(subject="pupil")}
    for expected in [
        "records.AttendanceMark",
        "records.Assessment",
        "records.MedicalCondition",
        "records.Allergy",
        "records.Medication",
        "records.HealthcarePlan",
        "records.SENProvision",
        "records.SENNeed",
        "records.EHCP",
        "records.EHCPReview",
        "records.BehaviourIncident",
        "records.Exclusion",
        "records.SafeguardingConcern",
        "records.Photograph",
        "records.TripParticipant",
        "records.Accident",
        "records.Post16Learning",
        "records.Post16Destination",
        "records.Note",
        "people.Pupil",
    ]:
        assert expected in labels


def test_special_flags_follow_the_taxonomy() -> None:
    from steward.registry.registry import entry_for

    pupil = entry_for(Pupil)
    assert pupil.field("ethnicity").special is True
    assert pupil.field("legal_surname").special is False
    assert pupil.field("id").category.personal is False


def test_markdown_output_has_a_table_per_model() -> None:
    out = io.StringIO()
    call_command("registry", "--format", "md", stdout=out)
    text = out.getvalue()
    assert "## records.SafeguardingConcern" in text
    assert "| narrative | `pupil.safeguarding` | Safeguarding | yes | restricted |" in text


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[categories."a"]\nlabel="A"\ndescription="d"', "missing `version`"),
        ('version="1"\n[categories."a.b"]\nlabel="B"\ndescription="d"', "parent category 'a' is not defined"),
        (
            'version="1"\n[categories."a"]\nlabel="A"\ndescription="d"\nsensitivity="secret"',
            "sensitivity 'secret'",
        ),
        ('version="1"\n[categories."a"]\ndescription="d"', "`label` is required"),
    ],
)
def test_malformed_taxonomy_is_refused(text: str, message: str) -> None:
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(text, source="t.toml")


def test_category_ancestors() -> None:
    c = taxonomy().get("pupil.health.allergy")
    assert c.ancestors == ("pupil.health.allergy", "pupil.health", "pupil")
    assert c.within("pupil.health") and not c.within("pupil.heal")
