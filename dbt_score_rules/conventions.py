"""Project conventions as dbt-score rules: layer names, one YAML file per folder, tested grains, owners.

The layout follows dbt Labs' "how we structure our dbt projects": `models/staging/<source>/` holds
`stg_<source>__<entity>` models (and its `base/` folder `base_<source>__<entity>` models),
`models/intermediate/` holds `int_<verb>...` models, and `models/marts/<area>/` holds the marts, each area
with its own prefixes. Every folder documents its models in one
`_<folder>__models.yml` beside them.
"""

import re
from pathlib import PurePosixPath

from dbt_score import Exposure, Model, RuleViolation, Seed, rule, rule_filter

# Tests that establish one row per key when they hold with no `where` filter.
UNIQUE_COLUMN_TESTS = {"unique"}
UNIQUE_COMBINATION_TESTS = {"unique_combination_of_columns"}
# Our own test: unique and not null together, over one column or several (macros/tests/primary_key.sql).
PRIMARY_KEY_TESTS = {"primary_key"}
# Our own test of a file's row numbers (macros/tests/numbers_every_row_once.sql): each 1..N once, none null.
ROW_NUMBER_TESTS = {"numbers_every_row_once"}


def _model_folder(model: Model) -> PurePosixPath:
    return PurePosixPath(model.original_file_path).parent


def _is_unfiltered(test_node: dict) -> bool:
    return not (test_node.get("config") or {}).get("where")


def _has_unfiltered_test(tests: list, test_types: set[str]) -> bool:
    return any(test.type in test_types and _is_unfiltered(test._raw_values) for test in tests)


@rule_filter
def is_mart(model: Model) -> bool:
    """The model is a mart: what analysts and the FOI officer query."""
    return _model_folder(model).parts[:2] == ("models", "marts")


@rule
def model_name_follows_layer_convention(
    model: Model,
    mart_prefixes: dict[str, list[str]] | None = None,
) -> RuleViolation | None:
    """The model's name matches its folder: stg_<source>__<entity>, int_<verb>..., or its mart area's prefix."""
    parts = _model_folder(model).parts
    if parts[:2] == ("models", "staging") and len(parts) == 3:
        pattern, expected = rf"stg_{re.escape(parts[2])}__[a-z0-9_]+", f"stg_{parts[2]}__<entity>"
    elif parts[:2] == ("models", "staging") and len(parts) == 4 and parts[3] == "base":
        pattern, expected = rf"base_{re.escape(parts[2])}__[a-z0-9_]+", f"base_{parts[2]}__<entity>"
    elif parts == ("models", "intermediate"):
        pattern, expected = r"int_[a-z0-9_]+", "int_<verb>_<what>"
    elif parts[:2] == ("models", "marts") and len(parts) == 3:
        prefixes = (mart_prefixes or {}).get(parts[2])
        if not prefixes:
            return RuleViolation(f"Mart area `{parts[2]}` has no prefixes configured in pyproject.toml.")
        pattern = "|".join(rf"{re.escape(prefix)}[a-z0-9_]+" for prefix in prefixes)
        expected = " or ".join(f"{prefix}..." for prefix in prefixes)
    else:
        return RuleViolation(
            f"Model is in `{'/'.join(parts)}`: use models/staging/<source>/ (its base/), models/intermediate/ "
            "or models/marts/<area>/."
        )
    if not re.fullmatch(pattern, model.name):
        return RuleViolation(f"Name should be {expected} for a model in `{'/'.join(parts)}`.")
    return None


@rule
def model_documented_in_folder_yaml(model: Model) -> RuleViolation | None:
    """The model's properties are in its folder's `_<folder>__models.yml`."""
    folder = _model_folder(model)
    expected = folder / f"_{folder.name}__models.yml"
    documented_in = (model.patch_path or "").split("://", 1)[-1]
    if documented_in != str(expected):
        return RuleViolation(f"Properties should be in {expected}, found {documented_in or 'none'}.")
    return None


def _not_null_columns(model: Model) -> set[str]:
    """Columns with an unfiltered not_null test, or in an unfiltered primary_key test."""
    found = {column.name for column in model.columns if _has_unfiltered_test(column.tests, {"not_null"})}
    for test in model.tests:
        if test.type in PRIMARY_KEY_TESTS and _is_unfiltered(test._raw_values):
            found.update(test.kwargs.get("columns") or [])
            found.update(test.kwargs.get("also_not_null") or [])
    return found


@rule
def model_has_primary_key_test(model: Model) -> RuleViolation | None:
    """The model's grain is tested: a primary_key test, a unique column that is not null, a row-number
    column numbering every row once, or a unique combination of not-null columns.

    A test limited by `where` does not count: it says nothing about the rows it leaves out.
    """
    not_null = _not_null_columns(model)
    for column in model.columns:
        if _has_unfiltered_test(column.tests, UNIQUE_COLUMN_TESTS) and column.name in not_null:
            return None
        if _has_unfiltered_test(column.tests, ROW_NUMBER_TESTS):
            return None
    for test in model.tests:
        if test.type in PRIMARY_KEY_TESTS and _is_unfiltered(test._raw_values):
            return None
        if test.type not in UNIQUE_COMBINATION_TESTS or not _is_unfiltered(test._raw_values):
            continue
        key = test.kwargs.get("combination_of_columns") or []
        if key and all(name in not_null for name in key):
            return None
    return RuleViolation(
        "No primary key test: add a primary_key test over the key columns, or give one column unique and "
        "not_null tests (none filtered by `where`)."
    )


@rule
def exposure_has_description_and_owner(exposure: Exposure) -> RuleViolation | None:
    """An exposure says what it is and who answers for it."""
    missing = [
        what
        for what, present in (
            ("description", bool(exposure.description)),
            ("owner name", bool((exposure.owner or {}).get("name"))),
            ("owner email", bool((exposure.owner or {}).get("email"))),
        )
        if not present
    ]
    if missing:
        return RuleViolation(f"Exposure lacks: {', '.join(missing)}.")
    return None


@rule
def seed_folder_is_known(seed: Seed, seed_folders: list[str] | None = None) -> RuleViolation | None:
    """A seed lives in one of the configured seed folders (the extract, council answers, reference data)."""
    folder = str(PurePosixPath(seed.original_file_path).parent)
    if folder not in (seed_folders or []):
        return RuleViolation(f"Seed is in `{folder}`: use one of {', '.join(seed_folders or [])}.")
    return None
