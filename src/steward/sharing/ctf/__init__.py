"""The DfE Common Transfer File (CTF): export to the next school, import from the previous one.

See docs/ctf.md and rules.md §8. Modules: `common` (versions, destinations, file names), `fields`
(the element-to-registered-field table), `payload` (a pupil's CTF content as data), `xml` (writing),
`schema` (the XSD Steward validates against), `export`, `importer`, `attendance`, `childprotection`.
"""
