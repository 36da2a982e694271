"""Category records, one module per area. Each model is registered in the personal-data registry."""

from steward.records.models.attainment import Assessment, Post16Destination, Post16Learning
from steward.records.models.attendance import AttendanceMark
from steward.records.models.base import PupilRecord, record_upload_to
from steward.records.models.behaviour import BehaviourIncident, Exclusion
from steward.records.models.health import Accident, Allergy, HealthcarePlan, MedicalCondition, Medication
from steward.records.models.pastoral import Note, Photograph, Trip, TripParticipant
from steward.records.models.safeguarding import SafeguardingConcern
from steward.records.models.sen import EHCP, EHCPReview, SENNeed, SENProvision

__all__ = [
    "EHCP",
    "Accident",
    "Allergy",
    "Assessment",
    "AttendanceMark",
    "BehaviourIncident",
    "EHCPReview",
    "Exclusion",
    "HealthcarePlan",
    "MedicalCondition",
    "Medication",
    "Note",
    "Photograph",
    "Post16Destination",
    "Post16Learning",
    "PupilRecord",
    "SENNeed",
    "SENProvision",
    "SafeguardingConcern",
    "Trip",
    "TripParticipant",
    "record_upload_to",
]
