"""The preview page runs no code but its own search script, fetches nothing, and shows deck
names, tags, sources and GUIDs as text whatever they hold."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources
from pathlib import Path

from bs4 import BeautifulSoup, Tag

from builder.model import CardKind
from builder.release import DeckRelease, PackagedNote
from builder.writers.preview import write_preview

SCRIPT = resources.files("builder.data").joinpath("preview.js").read_text("utf-8")

HOSTILE_DECK = "<script>alert(1)</script>::Sub"
HOSTILE_TAG = 'x"><svg/onload=alert(1)>'
HOSTILE_SOURCE = "<b onmouseover=alert(1)>a.md</b>:1"
HOSTILE_GUID = 'g"<>&'


def hostile_page(tmp_path: Path) -> tuple[str, BeautifulSoup]:
    note = PackagedNote(
        HOSTILE_GUID,
        CardKind.BASIC,
        HOSTILE_DECK,
        ("Front", "Back", "", "a.md"),
        (HOSTILE_TAG, "retired"),
        1,
        ("../../outside.png",),
        HOSTILE_SOURCE,
        "Front",
    )
    release = DeckRelease(HOSTILE_DECK, "1.0.0", None, (note,), (), (), (), (), 1)
    outside = tmp_path / "outside.png"
    path = write_preview([release], {"../../outside.png": outside}, tmp_path / "out")
    text = path.read_text("utf-8")
    return text, BeautifulSoup(text, "html.parser")


def test_names_tags_sources_and_guids_are_text(tmp_path: Path) -> None:
    _, soup = hostile_page(tmp_path)
    (script,) = soup.find_all("script")
    assert script.string == SCRIPT
    assert not soup.find_all(["svg", "b"])
    assert not [t for t in soup.find_all(True) if any(a.startswith("on") for a in t.attrs)]
    assert HOSTILE_DECK in soup.get_text() and HOSTILE_SOURCE in soup.get_text()
    (article,) = soup.find_all("article")
    assert isinstance(article, Tag)
    assert article["data-tags"] == f"{HOSTILE_TAG} retired"
    assert article["id"] == f"card-{HOSTILE_GUID}-0"
    assert [o["value"] for o in soup.select("#pv-tag option")] == ["", "retired", HOSTILE_TAG]


def test_a_media_name_with_a_folder_is_never_written(tmp_path: Path) -> None:
    hostile_page(tmp_path)
    assert not list(tmp_path.rglob("outside.png"))
    assert [p.name for p in (tmp_path / "out" / "preview").iterdir()] in (
        ["index.html", "media"],
        ["media", "index.html"],
    )


def test_the_policy_allows_only_our_script_and_local_images(tmp_path: Path) -> None:
    text, soup = hostile_page(tmp_path)
    policy = soup.select_one('meta[http-equiv="Content-Security-Policy"]')
    assert policy is not None
    digest = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
    assert str(policy["content"]) == (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'"
    )
    # Nothing in the page names a resource elsewhere (its links to sections are `#deck-1`).
    assert not re.search(r"https?:|//[a-z]|url\(|@import", text.replace(SCRIPT, ""))
    assert "fetch(" not in SCRIPT and "XMLHttpRequest" not in SCRIPT
