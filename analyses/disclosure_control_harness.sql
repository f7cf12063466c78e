-- Not a model: the disclosure_control macro on its own, over a table named harness_cells with the
-- columns foi_release's cells carry. tests/python/test_disclosure.py compiles it and runs it on
-- generated tables, so the property tests exercise exactly the SQL the release uses.
{{ disclosure_control('harness_cells') }}
