"""The register's models, one module per sub-domain."""

from steward.register.models.base import Register, RegisterRow
from steward.register.models.consent import ConsentPurpose, GivenBy
from steward.register.models.data import CategoryUse, RetentionRule
from steward.register.models.purposes import LawfulBasis, Purpose, SpecialCondition
from steward.register.models.sharing import Recipient, System

__all__ = [
    "CategoryUse",
    "ConsentPurpose",
    "GivenBy",
    "LawfulBasis",
    "Purpose",
    "Recipient",
    "Register",
    "RegisterRow",
    "RetentionRule",
    "SpecialCondition",
    "System",
]

# Every keyed register entry, in the order the default register loads them (purposes first:
# the others name purpose keys).
ROW_MODELS: tuple[type[RegisterRow], ...] = (
    Purpose,
    CategoryUse,
    Recipient,
    System,
    RetentionRule,
    ConsentPurpose,
)
