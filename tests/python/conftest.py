"""Shared fixtures: the project's configuration, and dbt builds into throw-away databases."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
import yaml

PROJECT_DIR = Path(__file__).resolve().parents[2]
DBT = str(Path(sys.executable).with_name("dbt"))
DEFAULT_EXTRACT = PROJECT_DIR / "data" / "extract"
# The scripts are tested as modules.
sys.path.insert(0, str(PROJECT_DIR / "scripts"))


def project_vars() -> dict:
    with open(PROJECT_DIR / "dbt_project.yml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)["vars"]


def run_dbt(
    *args: str,
    project: Path = PROJECT_DIR,
    db_path: Path | None = None,
    extract_dir: Path | None = None,
    extra_env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a dbt command in project with its own profile, into db_path, reading extract_dir (or the default).

    With a db_path, dbt runs from a folder where the profile's default relative path build/foi.duckdb is
    db_path (a symbolic link), so the profile reads exactly as in `make build` and dbt can reuse that
    build's parse (a different path would make it parse the whole project again, some 6 s a run).
    """
    env = {**os.environ, "DO_NOT_TRACK": "1"}
    # The profile by flag, not DBT_PROFILES_DIR: that would anchor the database in the project's build/.
    for name in ("FOI_DUCKDB_PATH", "DBT_PROFILES_DIR"):
        env.pop(name, None)
    args = (*args, "--profiles-dir", str(project))
    env["FOI_EXTRACT_DIR"] = str(extract_dir or DEFAULT_EXTRACT)
    env.update(extra_env or {})
    cwd = project
    if db_path is not None:
        assert db_path.name == "foi.duckdb", db_path
        cwd = db_path.parent / "dbt_cwd"
        cwd.mkdir(exist_ok=True)
        if not (cwd / "build").exists():
            (cwd / "build").symlink_to(db_path.parent, target_is_directory=True)
        args = (*args, "--project-dir", str(project))
    if os.environ.get("FOI_TEST_DBT_SUBPROCESS"):
        return subprocess.run([DBT, *args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return run_dbt_in_process(list(args), cwd, env)


def run_dbt_in_process(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """dbt as `dbt <args>` would run from cwd with env, but in this process (dbt's own dbtRunner): a test
    worker imports dbt once, not once a run (some 2.5 s of each). FOI_TEST_DBT_SUBPROCESS=1 runs the
    command line instead."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    from dbt.cli.main import dbtRunner

    saved_env, saved_cwd, output = dict(os.environ), os.getcwd(), io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(cwd)
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
            result = dbtRunner().invoke(args)
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        # dbt-duckdb keeps its database open for the next run in the process; the test reads it next.
        if DuckDBConnectionManager._ENV is not None:
            DuckDBConnectionManager._ENV.close()
            DuckDBConnectionManager._ENV = None
    code = 0 if result.success else (2 if result.exception is not None else 1)
    if result.exception is not None:
        output.write(f"\n{result.exception}\n")
    return subprocess.CompletedProcess([DBT, *args], code, output.getvalue(), "")


def warm_target(folder: Path) -> list[str]:
    """dbt's target and log folders in folder, the target starting from the parse `make build` left in
    target/ when there is one (a parse from scratch costs some 6 s)."""
    target = folder / "dbt_target"
    warm_parse = PROJECT_DIR / "target" / "partial_parse.msgpack"
    if warm_parse.exists() and not (target / warm_parse.name).exists():
        target.mkdir(parents=True, exist_ok=True)
        shutil.copy(warm_parse, target / warm_parse.name)
    return ["--target-path", str(target), "--log-path", str(folder / "logs")]


def dbt_build(db_path: Path, extract_dir: Path | None = None, *extra: str) -> subprocess.CompletedProcess[str]:
    """Run the release build (`make build`) into db_path, reading extract_dir (or the committed default in
    data/extract), starting from the parse `make build` left in target/ when there is one."""
    # As `make build`: the unit tests check the SQL on fixed inputs, and `make test` has just run them.
    release_build = ["--exclude-resource-type", "unit_test"]
    return run_dbt(
        "build", *warm_target(db_path.parent), *release_build, *extra, db_path=db_path, extract_dir=extract_dir
    )


def query(db_path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def built_with_project_vars(db_path: Path) -> bool:
    """Not a build with one-off vars (make release VARS=...): the tests describe the default release."""
    try:
        ((reference, starts),) = query(
            db_path, "select foi_reference, age_group_starts from marts.foi_release_metadata"
        )
    except duckdb.Error:
        return False
    config = project_vars()
    return reference == config["foi_reference"] and starts == ",".join(str(s) for s in config["age_group_starts"])


@pytest.fixture(scope="session")
def default_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The database of the default data: the one `make test` just built, or a fresh build."""
    configured = Path(os.environ.get("FOI_DUCKDB_PATH", PROJECT_DIR / "build" / "foi.duckdb"))
    if configured.exists() and not os.environ.get("FOI_EXTRACT_DIR") and built_with_project_vars(configured):
        return configured
    db_path = tmp_path_factory.mktemp("default") / "foi.duckdb"
    result = dbt_build(db_path)
    assert result.returncode == 0, result.stdout[-4000:]
    return db_path


needs_libreoffice = pytest.mark.skipif(
    shutil.which("soffice") is None,
    reason="LibreOffice is not installed (apt-get install libreoffice-calc libreoffice-writer)",
)


def libreoffice_pdf(document: Path, folder: Path) -> Path:
    """The document converted to PDF by LibreOffice, headless (it must open and convert cleanly)."""
    result = subprocess.run(
        [
            "soffice",
            "--headless",
            "--norestore",
            f"-env:UserInstallation=file://{folder}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            str(document),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    pdf = folder / (document.stem + ".pdf")
    assert pdf.exists() and pdf.stat().st_size > 10_000
    return pdf


def isolated_register(register: Path) -> dict[str, Path]:
    """export()'s register and private folder for a test: both under the test's own folder, never the
    project's releases/ or the home folder's private states."""
    return {"register": register, "private": register.parent / f"{register.name}_private"}
