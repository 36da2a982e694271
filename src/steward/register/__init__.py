"""The register of processing (UK GDPR Art 30): purposes, lawful bases, special-category conditions,
category uses, recipients, systems and retention rules, per trust with per-school overrides.

Privacy notices are compiled from it (`selectors.effective_register`), so what a notice says and what
the school does cannot drift apart.
"""
