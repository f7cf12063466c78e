"""The reviewers' view: the single-file dbt docs page (`dbt docs generate --static`) opened in headless
Chromium shows foi_release with its description and upstream lineage, and the workbook exposure; and
every column the build made is described."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import lxml.html
import pytest

from conftest import run_dbt

PROJECT = "foi_exploitation"
FOI_RELEASE = f"model.{PROJECT}.foi_release"
WORKBOOK = f"exposure.{PROJECT}.foi_release_workbook"
# Without the background-networking flags Chromium keeps trying the (closed) network at start.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--virtual-time-budget=20000",
]


@pytest.fixture(scope="module")
def docs_site(default_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`dbt docs generate --static` against a copy of the default build, into a folder of its own (dbt opens
    the database for writing, which would lock out the tests reading it in parallel)."""
    target = tmp_path_factory.mktemp("docs")
    db_copy = target / "foi.duckdb"
    shutil.copy(default_db, db_copy)
    logs = ["--target-path", str(target), "--log-path", str(target / "logs")]
    result = run_dbt("docs", "generate", "--static", *logs, db_path=db_copy)
    assert result.returncode == 0, result.stdout[-4000:]
    assert (target / "static_index.html").stat().st_size > 100_000
    return target


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip("Chromium is not installed and could not be (.ci/run installs Debian's `chromium` as root)")
    return found


def render(chromium: str, page: Path, route: str, profile: Path) -> lxml.html.HtmlElement:
    """The page's DOM after the docs app has run, without its scripts and styles."""
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", f"{page.as_uri()}#!/{route}"],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0 and result.stdout, result.stderr[-2000:]
    root = lxml.html.fromstring(result.stdout)
    for element in root.xpath("//script | //style"):
        element.drop_tree()
    return root


def section(root: lxml.html.HtmlElement, heading: str) -> str:
    """The text of the page section under an h6 heading ("Description", "Depends On", ...)."""
    found = root.xpath(f"//div[@class='section-content'][h6[normalize-space()='{heading}']]")
    assert found, f"no '{heading}' section rendered"
    return " ".join(found[0].text_content().split())


def manifest(docs_site: Path) -> dict:
    return json.loads((docs_site / "manifest.json").read_text(encoding="utf-8"))


def test_foi_release_page_shows_its_description_and_upstream_lineage(
    docs_site: Path, chromium: str, tmp_path: Path
) -> None:
    node = manifest(docs_site)["nodes"][FOI_RELEASE]
    root = render(chromium, docs_site / "static_index.html", f"model/{FOI_RELEASE}", tmp_path / "profile")

    first_sentence = node["description"].split(",")[0]
    assert first_sentence.startswith("Every number the council publishes")
    assert first_sentence in section(root, "Description")

    upstream = [parent.split(".")[-1] for parent in node["depends_on"]["nodes"]]
    assert upstream, "foi_release has no parents in the manifest"
    depends_on = section(root, "Depends On")
    for parent in upstream:
        assert parent in depends_on, f"{parent} missing from the Depends On section: {depends_on}"


def test_workbook_exposure_appears_with_what_it_renders(docs_site: Path, chromium: str, tmp_path: Path) -> None:
    exposure = manifest(docs_site)["exposures"][WORKBOOK]
    root = render(chromium, docs_site / "static_index.html", f"exposure/{WORKBOOK}", tmp_path / "profile")

    # The sidebar splits long names across two spans for ellipsis: compare without whitespace.
    in_sidebar = ["".join(item.text_content().split()) for item in root.xpath("//li[@resource-type='exposure']")]
    assert any("".join(exposure["label"].split()) in item for item in in_sidebar), in_sidebar
    assert exposure["description"].split(":")[0] in " ".join(root.text_content().split())
    assert "foi_release" in section(root, "Depends On")


def test_overview_page_renders_with_its_pictures(docs_site: Path, chromium: str, tmp_path: Path) -> None:
    """The front page says what the project answers and how to run it, and its pictures are there to load."""
    root = render(chromium, docs_site / "static_index.html", "overview", tmp_path / "profile")
    text = " ".join(root.text_content().split())
    assert "Children at risk of exploitation: the FOI release" in text
    assert "make release" in text and "make test" in text
    pictures = [image.get("src") for image in root.xpath("//img[@src]") if not image.get("src").startswith("data:")]
    assert len(pictures) >= 2, pictures
    for src in pictures:
        assert (docs_site / src).is_file(), f"overview picture {src} is not beside static_index.html"


def test_every_built_column_is_described(docs_site: Path) -> None:
    """The catalog (what the build made) against the manifest (what is documented): nothing undescribed."""
    catalog = json.loads((docs_site / "catalog.json").read_text(encoding="utf-8"))
    nodes = manifest(docs_site)["nodes"]
    assert len(catalog["nodes"]) >= 20
    undescribed = []
    for unique_id, built in catalog["nodes"].items():
        documented = {name.lower(): column for name, column in nodes[unique_id]["columns"].items()}
        if not nodes[unique_id]["description"]:
            undescribed.append(unique_id)
        undescribed += [
            f"{unique_id}.{name}"
            for name in built["columns"]
            if not documented.get(name.lower(), {}).get("description")
        ]
    assert undescribed == []
