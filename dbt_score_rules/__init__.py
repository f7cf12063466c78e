"""dbt-score rules for this project's conventions (DEVELOPERS.md); loaded by dbt-score from pyproject.toml."""
