"""The metadata gate (dbt-score with dbt_score_rules/) passes on the project and fails, naming the item and
the rule, when a temporary copy loses a description, a key test or its naming convention; the pre-commit
hooks run the same Makefile targets as CI."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from conftest import PROJECT_DIR, run_dbt

BIN = Path(sys.executable).parent
COPY_IGNORE = shutil.ignore_patterns(".git", ".venv", "target", "build", "logs", "output", "__pycache__", ".*cache")


def run_metadata_gate(project: Path) -> tuple[int, str]:
    """`make lint-dbt` in project: dbt parse against the in-memory target, then dbt-score; its exit code and
    report (colour codes removed)."""
    # The target chosen as `make lint-dbt` (and sqlfluff) choose it, so dbt can reuse that parse.
    target = {"FOI_DBT_TARGET": "memory"}
    lint = ["--quiet", "--target", "memory", "--target-path", "target/lint"]
    parse = run_dbt("parse", *lint, project=project, extra_env=target)
    assert parse.returncode == 0, parse.stdout[-3000:] + parse.stderr[-3000:]
    score = subprocess.run(
        [str(BIN / "dbt-score"), "lint", "--manifest", "target/lint/manifest.json"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    return score.returncode, re.sub(r"\x1b\[[0-9;]*m", "", score.stdout)


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def drop_column_description(project: Path) -> None:
    replace_in(
        project / "models/intermediate/_intermediate__models.yml",
        "      - name: has_gang_factor\n        description:",
        "      - name: has_gang_factor\n        # description:",
    )


def drop_property(path: Path, section: str, name: str, key: str) -> None:
    """Remove one property (e.g. `data_tests`) from the item called name in a YAML file's section."""
    properties = yaml.safe_load(path.read_text(encoding="utf-8"))
    for item in properties[section]:
        if item["name"] == name:
            item.pop(key)
    path.write_text(yaml.safe_dump(properties, sort_keys=False), encoding="utf-8")


def drop_key_test(project: Path) -> None:
    drop_property(
        project / "models/intermediate/_intermediate__models.yml",
        "models",
        "int_children_identified_by_year",
        "data_tests",
    )


def drop_model_description(project: Path) -> None:
    drop_property(
        project / "models/marts/data_quality/_data_quality__models.yml",
        "models",
        "dq_extract_exclusion_reasons",
        "description",
    )


def misname_model(project: Path) -> None:
    folder = project / "models/intermediate"
    (folder / "int_flags_active_by_year.sql").rename(folder / "flags_active_by_year.sql")
    properties = folder / "_intermediate__models.yml"
    text = properties.read_text(encoding="utf-8")
    properties.write_text(text.replace(": int_flags_active_by_year", ": flags_active_by_year"), encoding="utf-8")
    for path in (project / "models").rglob("*.sql"):
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("ref('int_flags_active_by_year')", "ref('flags_active_by_year')"), "utf-8")


def undocumented_macro(project: Path) -> None:
    drop_property(project / "macros/_macros.yml", "macros", "extract_row_number", "description")


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    root = tmp_path_factory.mktemp("gate")

    def make(name: str) -> Path:
        copy = root / name
        shutil.copytree(PROJECT_DIR, copy, ignore=COPY_IGNORE)
        # `make lint-dbt`'s parse, so dbt parses again only what a test changes (dbt checks which files did).
        lint_parse = PROJECT_DIR / "target" / "lint" / "partial_parse.msgpack"
        if lint_parse.exists():
            (copy / "target" / "lint").mkdir(parents=True)
            shutil.copy(lint_parse, copy / "target" / "lint" / lint_parse.name)
        return copy

    return make


def test_metadata_gate_passes_on_the_project(project_copy: Callable[[str], Path]) -> None:
    returncode, report = run_metadata_gate(project_copy("unchanged"))
    assert returncode == 0, report[-3000:]
    assert "Project score: 10.0" in report


# Each fault breaks one item: all are made in one copy (text edits before the YAML rewrites), which is
# checked once, and each must be reported under its own item with its own rule.
FAULTS = [
    (drop_column_description, "Model: int_assessments_qualifying", "columns_have_description"),
    (misname_model, "Model: flags_active_by_year", "model_name_follows_layer_convention"),
    (drop_model_description, "Model: dq_extract_exclusion_reasons", "has_description"),
    (undocumented_macro, "Macro: extract_row_number", "macro_has_description"),
    (drop_key_test, "Model: int_children_identified_by_year", "model_has_primary_key_test"),
]


@pytest.fixture(scope="module")
def broken_gate(project_copy: Callable[[str], Path]) -> tuple[int, str]:
    project = project_copy("broken")
    for break_it, _, _ in FAULTS:
        break_it(project)
    return run_metadata_gate(project)


@pytest.mark.parametrize(
    ("item", "rule"),
    [(item, rule) for _, item, rule in FAULTS],
    ids=["column description", "model name", "model description", "macro description", "key test"],
)
def test_metadata_gate_fails_naming_the_item_and_rule(broken_gate: tuple[int, str], item: str, rule: str) -> None:
    returncode, report = broken_gate
    assert returncode != 0, report[-3000:]
    block = report.split(item, 1)[1].split("\n\n", 1)[0] if item in report else ""
    assert rule in block, report[-3000:]


def test_pre_commit_hooks_run_the_ci_lint_targets() -> None:
    config = PROJECT_DIR / ".pre-commit-config.yaml"
    validate = subprocess.run(
        [str(BIN / "pre-commit"), "validate-config", str(config)], capture_output=True, text=True, check=False
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    hooks = [hook for repo in yaml.safe_load(config.read_text(encoding="utf-8"))["repos"] for hook in repo["hooks"]]
    assert all(hook["language"] == "system" for hook in hooks)
    hook_targets = {hook["entry"].split()[-1] for hook in hooks}
    makefile = (PROJECT_DIR / "Makefile").read_text(encoding="utf-8")
    lint_targets = set(re.search(r"^lint: (.+)$", makefile, re.MULTILINE).group(1).split())
    assert hook_targets == lint_targets
    # make test runs the gates, then the whole dbt build (unit tests too), then pytest.
    assert re.search(r"^test: lint\n\t@\$\(MAKE\) --no-print-directory build DBT_BUILD_ARGS=\n", makefile, re.MULTILINE)


def test_pre_commit_runs_a_hook() -> None:
    if not (PROJECT_DIR / ".git").exists():
        pytest.skip("not a git checkout: pre-commit needs one")
    result = subprocess.run(
        [str(BIN / "pre-commit"), "run", "ruff", "--all-files"],
        cwd=PROJECT_DIR,
        env={**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout
