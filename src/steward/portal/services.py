"""The portal's writes, in one place to find them. Each lives in its own small module:

- `invitations`: invite, resend (reset), disable, accept (set the password through the one-time link);
- `requests`: make_request (a rights request with channel "portal") and the bundle download token;
- `decisions`: decide_consent (through the consent ledger), choose_youth_support;
- `datacheck`: submit_data_check, review_submission (staff).
"""

from steward.portal.datacheck import review_submission, submit_data_check
from steward.portal.decisions import choose_youth_support, decide_consent
from steward.portal.invitations import accept, disable, invite, resend
from steward.portal.requests import bundle_link_token, make_request

__all__ = [
    "accept",
    "bundle_link_token",
    "choose_youth_support",
    "decide_consent",
    "disable",
    "invite",
    "make_request",
    "resend",
    "review_submission",
    "submit_data_check",
]
