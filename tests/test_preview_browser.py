"""The preview in a real browser: headless Chromium opens the page from disk, with no
network, and what a reader sees is checked: every card's two sides, math drawn as MathML,
images loaded, the search box and filters. The screenshot is kept as `dist/preview.png`.

Chromium comes from Debian (`make chromium`, which `make test` runs). Without it the test
fails under CI and is skipped elsewhere."""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from builder.model import CardKind
from builder.pipeline import BuildConfig, build
from builder.release import DeckRelease
from builder.writers.preview import PreviewCard, preview_cards, write_preview
from tests.chromium import CHROMIUM, Page, chromium
from tests.conftest import FIXTURES, REPO

SCREENSHOT = REPO / "dist" / "preview.png"

# Runs before the page's own script; DevTools scripts are not bound by the page's policy.
RECORD_PROBLEMS = """
window.__problems = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__problems.push(`blocked ${e.violatedDirective}: ${e.blockedURI}`));
window.addEventListener("error", (e) => window.__problems.push(`error: ${e.message}`), true);
"""


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: `make chromium` installs Debian's chromium package"
    if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
        pytest.fail(message)
    pytest.skip(message)


@dataclasses.dataclass(frozen=True)
class Preview:
    path: Path
    cards: list[PreviewCard]


@pytest.fixture(scope="module")
def preview(tmp_path_factory: pytest.TempPathFactory) -> Preview:
    """The fixture vault's preview (math, an image, every kind of card), one note retired."""
    result = build(
        BuildConfig((FIXTURES / "vault",), (), tmp_path_factory.mktemp("dist"), cache=False)
    )
    (release,) = result.releases
    notes = list(release.notes)
    first_basic = next(i for i, n in enumerate(notes) if n.kind is CardKind.BASIC)
    notes[first_basic] = dataclasses.replace(
        notes[first_basic], tags=(*notes[first_basic].tags, "retired")
    )
    releases: list[DeckRelease] = [dataclasses.replace(release, notes=tuple(notes))]
    media = {m.stored_name: m.path for n in result.notes for m in n.tagged.rendered.media}
    out = tmp_path_factory.mktemp("preview-out")
    path = write_preview(releases, media, out)
    available = {name: f"media/{name}" for name in media}
    return Preview(path, preview_cards(releases, available))


@pytest.fixture(scope="module")
def page(preview: Preview, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Page]:
    require_chromium()
    scratch = tmp_path_factory.mktemp("chromium")
    with chromium(scratch / "profile", scratch / "chromium.log") as browser:
        tab = browser.new_page()
        tab.send("Runtime.enable")
        tab.send("Page.addScriptToEvaluateOnNewDocument", source=RECORD_PROBLEMS)
        tab.send(
            "Emulation.setDeviceMetricsOverride",
            width=1280,
            height=2000,
            deviceScaleFactor=1,
            mobile=False,
        )
        tab.navigate(preview.path.as_uri())
        yield tab
        problems = tab.evaluate("window.__problems")
        thrown = [e for e in browser.events if e["method"] == "Runtime.exceptionThrown"]
        assert problems == [] and thrown == [], (problems, thrown)


def evaluate_json(page: Page, expression: str) -> Any:
    return json.loads(page.evaluate(f"JSON.stringify({expression})"))


def visible_cards(page: Page) -> list[dict[str, Any]]:
    """Each card the reader can see: its text and tags."""
    return list(
        evaluate_json(
            page,
            """Array.from(document.querySelectorAll("article.pv-card"))
                 .filter((a) => a.offsetParent !== null)
                 .map((a) => ({text: a.textContent.toLowerCase(), tags: a.dataset.tags,
                               retired: a.classList.contains("pv-is-retired")}))""",
        )
    )


def set_filters(page: Page, *, tag: str = "", retired: str = "all") -> None:
    page.evaluate(
        f"""(() => {{
          const search = document.getElementById("pv-search");
          search.value = "";
          search.dispatchEvent(new Event("input"));
          for (const [id, value] of [["pv-tag", {json.dumps(tag)}],
                                     ["pv-retired", {json.dumps(retired)}]]) {{
            const select = document.getElementById(id);
            select.value = value;
            select.dispatchEvent(new Event("change"));
          }}
        }})()"""
    )


def type_search(page: Page, text: str) -> None:
    """Type into the search box as a reader does (key events, not a value set by script)."""
    page.evaluate('document.getElementById("pv-search").focus()')
    page.send("Input.insertText", text=text)


def count_label(page: Page) -> str:
    return str(page.evaluate('document.getElementById("pv-count").textContent'))


def test_every_card_shows_front_and_back(page: Page, preview: Preview) -> None:
    boxes = evaluate_json(
        page,
        """Array.from(document.querySelectorAll("article.pv-card")).map((a) =>
             Array.from(a.querySelectorAll("div.card")).map((box) => {
               const r = box.getBoundingClientRect();
               return {width: r.width, height: r.height, text: box.innerText.trim()};
             }))""",
    )
    assert len(boxes) == len(preview.cards) == 17
    for card, (front, back) in zip(preview.cards, boxes, strict=True):
        assert front["width"] > 200 and front["height"] > 20 and front["text"], card.note.guid
        assert back["width"] > 200 and back["height"] > 20 and back["text"], card.note.guid
    # The note type's CSS applies inside the boxes: a cloze front shows Anki's [...] styled.
    cloze_weight = page.evaluate(
        'getComputedStyle(document.querySelector("div.card .cloze")).fontWeight'
    )
    assert cloze_weight == "700"
    assert count_label(page) == "17 cards"


def test_math_is_drawn_as_mathml(page: Page) -> None:
    formulas = evaluate_json(
        page,
        """Array.from(document.querySelectorAll("math")).map((m) => {
             const r = m.getBoundingClientRect();
             const [top, bottom] = Array.from(m.querySelector("mfrac").children)
               .map((part) => part.getBoundingClientRect());
             return {width: r.width, height: r.height, mathml: m.namespaceURI,
                     stacked: top.bottom <= bottom.top + 1 && top.width > 0};
           })""",
    )
    assert formulas, "no <math> element in the page"
    for formula in formulas:
        assert formula["mathml"] == "http://www.w3.org/1998/Math/MathML"
        assert formula["width"] > 10 and formula["height"] > 10
        # Laid out as math, not as a line of text: the numerator is above the denominator.
        assert formula["stacked"]
    assert page.evaluate('document.querySelectorAll(".tex-source").length') == 0


def test_images_load_from_beside_the_page(page: Page, preview: Preview) -> None:
    images = evaluate_json(
        page,
        """Array.from(document.images).map((i) =>
             ({src: i.src, complete: i.complete, width: i.naturalWidth}))""",
    )
    media = (preview.path.parent / "media").as_uri()
    assert images and all(i["src"].startswith(media + "/") for i in images)
    assert all(i["complete"] and i["width"] > 0 for i in images), images


def test_the_search_box_filters_cards_by_their_text(page: Page) -> None:
    set_filters(page)
    type_search(page, "Firehose")
    shown = visible_cards(page)
    assert 0 < len(shown) < 17
    assert all("firehose" in card["text"] for card in shown)
    assert count_label(page) == f"{len(shown)} of 17 cards"
    # Several words: every one must be there, in any order.
    type_search(page, " json")
    assert [c["text"] for c in visible_cards(page)] == [
        c["text"] for c in shown if "json" in c["text"]
    ]
    type_search(page, " no-such-word")
    assert visible_cards(page) == []
    assert page.evaluate('document.querySelectorAll("section.pv-deck:not([hidden])").length') == 0
    set_filters(page)
    assert len(visible_cards(page)) == 17


def test_tag_and_retired_filters(page: Page, preview: Preview) -> None:
    def with_tag(tag: str) -> int:
        return sum(
            any(t == tag or t.startswith(f"{tag}::") for t in card.note.tags)
            for card in preview.cards
        )

    for tag in ("domain::modeling", "service", "service::kinesis"):
        set_filters(page, tag=tag)
        shown = visible_cards(page)
        assert len(shown) == with_tag(tag) > 0, tag
    set_filters(page, retired="only")
    assert [c["retired"] for c in visible_cards(page)] == [True]
    set_filters(page, retired="hide")
    assert len(visible_cards(page)) == 16
    set_filters(page)


def test_screenshot_is_kept_in_dist(page: Page) -> None:
    set_filters(page)
    page.evaluate("window.scrollTo(0, 0)")
    SCREENSHOT.unlink(missing_ok=True)
    page.screenshot(SCREENSHOT, width=1280)
    data = SCREENSHOT.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 50_000
