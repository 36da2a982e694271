"""DfE / CBDS code sets Steward validates against.

Sources are in ../shared/domain/rules.md §8.3 (CBDS) and the DfE school census guidance.
Each set maps code -> label; choices are built from them so forms, API and importer share one list.
"""

from __future__ import annotations

SEX = {"M": "Male", "F": "Female", "U": "Unknown"}

# DfE main ethnicity codes, including REFU (refused) and NOBT (information not yet obtained).
ETHNICITY = {
    "WBRI": "White - British",
    "WIRI": "White - Irish",
    "WIRT": "Traveller of Irish heritage",
    "WOTH": "Any other White background",
    "WROM": "Gypsy / Roma",
    "MWBC": "White and Black Caribbean",
    "MWBA": "White and Black African",
    "MWAS": "White and Asian",
    "MOTH": "Any other mixed background",
    "AIND": "Indian",
    "APKN": "Pakistani",
    "ABAN": "Bangladeshi",
    "AOTH": "Any other Asian background",
    "BCRB": "Black Caribbean",
    "BAFR": "Black - African",
    "BOTH": "Any other Black background",
    "CHNE": "Chinese",
    "OOTH": "Any other ethnic group",
    "REFU": "Refused",
    "NOBT": "Information not yet obtained",
}
# Extended codes roll up to a main code for census returns.
ETHNICITY_EXTENDED = {
    "WENG": "WBRI",
    "WSCO": "WBRI",
    "WWEL": "WBRI",
    "WCOR": "WBRI",
    "WNIR": "WBRI",
    "WOWB": "WBRI",
    "WROG": "WROM",
    "WROR": "WROM",
    "WROO": "WROM",
}

SEN_PROVISION = {
    "N": "No special educational need",
    "K": "SEN support",
    "E": "Education, health and care plan",
}

SEN_NEED = {
    "SPLD": "Specific learning difficulty",
    "MLD": "Moderate learning difficulty",
    "SLD": "Severe learning difficulty",
    "PMLD": "Profound and multiple learning difficulty",
    "SEMH": "Social, emotional and mental health",
    "SLCN": "Speech, language and communication needs",
    "HI": "Hearing impairment",
    "VI": "Visual impairment",
    "MSI": "Multi-sensory impairment",
    "PD": "Physical disability",
    "ASD": "Autistic spectrum disorder",
    "OTH": "Other difficulty or disability",
    "NSA": "SEN support but no specialist assessment of type of need",
}

# School attendance codes under the School Attendance (Pupil Registration) (England) Regulations 2024.
ATTENDANCE = {
    "/": "Present (morning)",
    "\\": "Present (afternoon)",
    "L": "Late, arrived before the register closed",
    "K": "Attending education provision arranged by the local authority",
    "V": "Attending an educational visit or trip",
    "P": "Participating in a sporting activity",
    "W": "Attending work experience",
    "B": "Attending any other approved educational activity",
    "D": "Dual registered, at another school",
    "C1": "Leave of absence: regulated performance or employment abroad",
    "M": "Leave of absence: medical or dental appointment",
    "J1": "Leave of absence: interview",
    "S": "Leave of absence: study leave",
    "X": "Not required to be in school (non-compulsory school age)",
    "C2": "Leave of absence: part-time timetable",
    "C": "Leave of absence: exceptional circumstances",
    "T": "Parent travelling for occupational purposes",
    "R": "Religious observance",
    "I": "Illness (not medical or dental appointment)",
    "E": "Suspended or permanently excluded, no alternative provision",
    "Q": "Unable to attend: lack of access arrangements",
    "Y1": "Unable to attend: transport not available",
    "Y2": "Unable to attend: widespread disruption to travel",
    "Y3": "Unable to attend: part of the school premises closed",
    "Y4": "Unable to attend: whole school site unexpectedly closed",
    "Y5": "Unable to attend: criminal justice detention",
    "Y6": "Unable to attend: public health guidance or law",
    "Y7": "Unable to attend: any other unavoidable cause",
    "G": "Holiday not granted by the school",
    "N": "Reason for absence not yet established",
    "O": "Absent in other or unknown circumstances",
    "U": "Arrived in school after registration closed",
    "Z": "Prospective pupil not on admission register",
    "#": "Planned whole-school closure",
}
ATTENDANCE_PRESENT = {"/", "\\", "L", "K", "V", "P", "W", "B", "D"}
ATTENDANCE_UNAUTHORISED = {"G", "N", "O", "U"}

# Reasons for suspension and permanent exclusion (school census).
EXCLUSION_REASON = {
    "PP": "Physical assault against a pupil",
    "PA": "Physical assault against an adult",
    "VP": "Verbal abuse or threatening behaviour against a pupil",
    "VA": "Verbal abuse or threatening behaviour against an adult",
    "BU": "Bullying",
    "RA": "Racist abuse",
    "LG": "Abuse against sexual orientation or gender identity",
    "DS": "Abuse relating to disability",
    "SM": "Sexual misconduct",
    "DA": "Drug and alcohol related",
    "DM": "Damage",
    "TH": "Theft",
    "PD": "Persistent disruptive behaviour",
    "MT": "Inappropriate use of social media or online technology",
    "WP": "Use or threat of use of an offensive weapon or prohibited item",
    "OT": "Other",
}
EXCLUSION_KIND = {"SUSP": "Suspension (fixed period)", "PERM": "Permanent exclusion"}

ENROLMENT_STATUS = {
    "C": "Current (single registration)",
    "M": "Current main (dual registration)",
    "S": "Current subsidiary (dual registration)",
    "G": "Guest",
}

# A selection of DfE first-language codes; unknown codes are refused so a typo never reaches a return.
LANGUAGE = {
    "ENG": "English",
    "ENB": "Believed to be English",
    "OTH": "Other than English",
    "OTB": "Believed to be other than English",
    "REF": "Refused",
    "NOT": "Information not obtained",
    "ARA": "Arabic",
    "BNG": "Bengali",
    "CHI": "Chinese",
    "FRN": "French",
    "GER": "German",
    "GUJ": "Gujarati",
    "HIN": "Hindi",
    "ITA": "Italian",
    "LIT": "Lithuanian",
    "PNJ": "Panjabi",
    "POL": "Polish",
    "POR": "Portuguese",
    "RUM": "Romanian",
    "RUS": "Russian",
    "SOM": "Somali",
    "SPA": "Spanish",
    "TAM": "Tamil",
    "TUR": "Turkish",
    "URD": "Urdu",
    "WEL": "Welsh",
    "YOR": "Yoruba",
}

SCHOOL_PHASE = {
    "nursery": "Nursery",
    "primary": "Primary",
    "middle": "Middle",
    "secondary": "Secondary",
    "all-through": "All-through",
    "16-plus": "16 plus",
}
SCHOOL_TYPE = {
    "maintained": "Local-authority maintained",
    "academy": "Academy",
    "free": "Free school",
    "special": "Special school",
    "ap": "Alternative provision",
}

RELATIONSHIP = {
    "PAM": "Mother",
    "PAF": "Father",
    "STM": "Step-mother",
    "STF": "Step-father",
    "CAR": "Carer",
    "FOM": "Foster mother",
    "FOF": "Foster father",
    "GRM": "Grandmother",
    "GRF": "Grandfather",
    "REL": "Other relative",
    "SWR": "Social worker",
    "CHM": "Childminder",
    "DOC": "Doctor",
    "OTH": "Other contact",
}

# Where an item of personal data came from (Art 14(2)(f) needs this for every item).
SOURCE = {
    "school": "Recorded by the school",
    "parent": "Given by a parent or carer",
    "pupil": "Given by the pupil",
    "previous_school": "Previous school (common transfer file)",
    "la": "Local authority",
    "dfe": "Department for Education",
    "lrs": "Learning Records Service",
    "health": "Health professional",
    "provider": "Alternative provision provider",
    "mis_import": "Imported from the management information system",
    "other": "Other",
}

NC_YEARS = {
    "N1": "Nursery 1",
    "N2": "Nursery 2",
    "R": "Reception",
    **{str(i): f"Year {i}" for i in range(1, 15)},
    "X": "National curriculum not followed",
}


def choices(codes: dict[str, str]) -> list[tuple[str, str]]:
    """Django `choices` from a code set, labelled "CODE - label"."""
    return [(k, f"{k} - {v}") if k.isalnum() else (k, v) for k, v in codes.items()]
