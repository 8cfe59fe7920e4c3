"""Preview writer: `<out>/preview/index.html`, every card front and back as Anki shows it, to
look at before importing.

Cards are rendered with the note types' own templates and CSS (`anki_templates`), math is
converted to MathML (`mathml`) and images are copied beside the page, so the page shows
everything offline with no script but its own search. Its Content-Security-Policy allows
nothing else: no network, no other script, images only from its own folder.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from bs4 import BeautifulSoup, Tag

from builder.outputs import write_atomically
from builder.release import DeckRelease, PackagedNote
from builder.transforms.sanitize import FORMATTER
from builder.writers.anki_templates import render_card
from builder.writers.apkg import card_ordinals
from builder.writers.mathml import math_as_mathml
from builder.writers.notetypes import note_type_for

PREVIEW_DIR = "preview"
MEDIA_DIR = "media"
PAGE_NAME = "index.html"


@dataclass(frozen=True, slots=True)
class PreviewCard:
    """One card of the page: both sides as HTML ready to show, and what is said about it."""

    note: PackagedNote
    ordinal: int
    """The card's template ordinal (a cloze card's: its cloze number minus one)."""
    label: str
    """Which card of its note, e.g. `cloze 2 of 3`; empty for a note's only card."""
    question: str
    answer: str


def _data(name: str) -> str:
    return resources.files("builder.data").joinpath(name).read_text("utf-8")


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


# Note type CSS, scoped to the card boxes ------------------------------------------------

_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def _split_top_level(text: str, separator: str) -> list[str]:
    """Split at `separator` outside brackets and strings."""
    parts, depth, quote_char, start = [], 0, "", 0
    for index, char in enumerate(text):
        if quote_char:
            quote_char = "" if char == quote_char else quote_char
        elif char in "\"'":
            quote_char = char
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == separator and depth == 0:
            parts.append(text[start:index])
            start = index + 1
    parts.append(text[start:])
    return parts


def _blocks(css: str) -> Iterator[tuple[str, str]]:
    """Each top-level rule as (prelude, body), the body without its braces."""
    position, length = 0, len(css)
    while position < length:
        opening = css.find("{", position)
        if opening < 0:
            return
        depth, index, quote_char = 1, opening + 1, ""
        while index < length and depth:
            char = css[index]
            if quote_char:
                quote_char = "" if char == quote_char else quote_char
            elif char in "\"'":
                quote_char = char
            elif char == "{":
                depth += 1
            elif char == "}":
                depth -= 1
            index += 1
        yield css[position:opening].strip(), css[opening + 1 : index - 1]
        position = index


def scope_css(css: str, scope: str) -> str:
    """The CSS with every rule limited to elements inside `scope` (Anki puts `.card` on the
    page's body; here each card box is a `.card`): `.card …` keeps its own box as the card,
    `img` becomes `.card img`. Rules inside `@media` and `@supports` are scoped too; other
    at-rules are kept as they are."""
    out = []
    for prelude, body in _blocks(_COMMENT.sub("", css)):
        if prelude.startswith(("@media", "@supports")):
            out.append(f"{prelude} {{\n{scope_css(body, scope)}}}")
        elif prelude.startswith("@"):
            out.append(f"{prelude} {{{body}}}")
        else:
            selectors = []
            for selector in (s.strip() for s in _split_top_level(prelude, ",")):
                if re.match(r"\.card(?![\w-])", selector):
                    selectors.append(scope + selector[len(".card") :])
                else:
                    selectors.append(f"{scope} {selector}")
            out.append(f"{', '.join(selectors)} {{{body.rstrip()} }}")
    return "\n".join(out) + "\n"


# Cards ---------------------------------------------------------------------------------


def local_media(card_html: str, available: Mapping[str, str]) -> str:
    """Card HTML with each image pointing at its copy beside the page; an image that is not
    there is named instead, so the page never loads anything from elsewhere."""
    if "<img" not in card_html:
        return card_html
    soup = BeautifulSoup(card_html, "html.parser")
    for image in soup.find_all("img"):
        if not isinstance(image, Tag):
            continue
        source = image.get("src")
        if isinstance(source, str) and source in available:
            image["src"] = available[source]
        else:
            missing = soup.new_tag("span", attrs={"class": "pv-missing-media"})
            missing.string = f"[missing image {source or ''}]"
            image.replace_with(missing)
    return soup.decode(formatter=FORMATTER)


def _source_order(note: PackagedNote) -> tuple[str, int, str]:
    path, _, line = note.source.rpartition(":")
    return (path, int(line), note.guid) if line.isdigit() else (note.source, 0, note.guid)


def preview_cards(
    releases: Sequence[DeckRelease], available: Mapping[str, str]
) -> list[PreviewCard]:
    """Every card of every release, grouped by deck, retired notes last, then in the order
    of their sources."""
    notes = sorted(
        (note for release in releases for note in release.notes),
        key=lambda n: (n.deck, n.retired, _source_order(n)),
    )
    cards = []
    for note in notes:
        note_type = note_type_for(note.kind)
        ordinals = card_ordinals(note_type.model, note)
        for position, ordinal in enumerate(ordinals, start=1):
            sides = render_card(note_type, note.fields, ordinal)
            label = f"card {position} of {len(ordinals)}" if len(ordinals) > 1 else ""
            cards.append(
                PreviewCard(
                    note,
                    ordinal,
                    label,
                    math_as_mathml(local_media(sides.question, available)),
                    math_as_mathml(local_media(sides.answer, available)),
                )
            )
    return cards


# The page ------------------------------------------------------------------------------


def _card_html(card: PreviewCard, style_class: str) -> str:
    note = card.note
    retired = ' <span class="pv-retired-badge">retired</span>' if note.retired else ""
    label = f' <span class="pv-label">{_esc(card.label)}</span>' if card.label else ""
    tags = "".join(f"<li>{_esc(tag)}</li>" for tag in note.tags)
    classes = "pv-card pv-is-retired" if note.retired else "pv-card"
    box = f"card {style_class}"
    return (
        f'<article class="{classes}" id="card-{_esc(note.guid)}-{card.ordinal}" '
        f'data-tags="{_esc(" ".join(note.tags))}">\n'
        f'<div class="pv-meta"><span class="pv-kind">{_esc(note.kind.value)}</span>{label}'
        f'{retired} <span class="pv-source">{_esc(note.source)}</span></div>\n'
        '<div class="pv-sides">\n'
        f'<div class="pv-side"><div class="pv-side-label">Front</div>'
        f'<div class="{box}">{card.question}</div></div>\n'
        f'<div class="pv-side"><div class="pv-side-label">Back</div>'
        f'<div class="{box}">{card.answer}</div></div>\n'
        "</div>\n" + (f'<ul class="pv-tags">{tags}</ul>\n' if tags else "") + "</article>\n"
    )


def _tag_options(cards: Sequence[PreviewCard]) -> str:
    """Every tag and parent tag (`service::kinesis` for `service::kinesis::data-firehose`),
    with the number of cards it selects."""
    counts: Counter[str] = Counter()
    for card in cards:
        selected: set[str] = set()
        for tag in card.note.tags:
            parts = tag.split("::")
            selected.update("::".join(parts[:n]) for n in range(1, len(parts) + 1))
        counts.update(selected)
    return "".join(
        f'<option value="{_esc(tag)}">{_esc(tag)} ({count})</option>'
        for tag, count in sorted(counts.items())
    )


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def page_html(releases: Sequence[DeckRelease], cards: Sequence[PreviewCard]) -> str:
    """The whole page."""
    styles: dict[str, str] = {}
    """Each distinct note type CSS by the class that scopes it."""
    style_of_kind = {}
    for kind in sorted({card.note.kind for card in cards}):
        css = note_type_for(kind).model.css
        if css not in styles.values():
            styles[f"pv-style-{len(styles) + 1}"] = css
        style_of_kind[kind] = next(name for name, text in styles.items() if text == css)
    card_css = "".join(scope_css(css, f".card.{name}") for name, css in styles.items())

    by_deck: dict[str, list[PreviewCard]] = {}
    for card in cards:
        by_deck.setdefault(card.note.deck, []).append(card)
    sections, toc = [], []
    for number, (deck, deck_cards) in enumerate(by_deck.items(), start=1):
        anchor = f"deck-{number}"
        count = _plural(len(deck_cards), "card")
        toc.append(f'<li><a href="#{anchor}">{_esc(deck)}</a> ({len(deck_cards)})</li>')
        sections.append(
            f'<section class="pv-deck" aria-labelledby="{anchor}">\n'
            f'<h2 id="{anchor}">{_esc(deck)}<span class="pv-deck-count">{count}</span></h2>\n'
            + "".join(_card_html(card, style_of_kind[card.note.kind]) for card in deck_cards)
            + "</section>\n"
        )

    script = _data("preview.js")
    if "</script" in script.lower():
        raise ValueError("the preview script may not contain </script")
    script_hash = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode()
    policy = (
        "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
        f"script-src 'sha256-{script_hash}'; base-uri 'none'; form-action 'none'"
    )
    versions = ", ".join(f"{release.deck} {release.version}" for release in releases)
    notes = len({card.note.guid for card in cards})
    retired = sum(1 for card in cards if card.note.retired)
    summary = (
        f"{_plural(len(cards), 'card')} from {_plural(notes, 'note')} "
        f"in {_plural(len(by_deck), 'deck')}"
        + (f", {retired} of them retired" if retired else "")
        + f". Packages: {_esc(versions)}."
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{policy}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Card preview: {_esc(versions)}</title>\n"
        f"<style>\n{_data('preview.css')}\n/* Note types */\n{card_css}</style>\n"
        "</head>\n<body>\n"
        '<header class="pv-header">\n<h1>Card preview</h1>\n'
        f'<p class="pv-summary">{summary}</p>\n'
        '<div class="pv-controls">\n'
        '<input type="search" id="pv-search" placeholder="Search the cards…" '
        'aria-label="Search the cards\' text" autocomplete="off">\n'
        '<select id="pv-tag" aria-label="Only cards with this tag">'
        f'<option value="">All tags</option>{_tag_options(cards)}</select>\n'
        '<select id="pv-retired" aria-label="Retired cards">'
        '<option value="all">Retired cards shown</option>'
        '<option value="hide">Retired cards hidden</option>'
        '<option value="only">Only retired cards</option></select>\n'
        f'<span id="pv-count" class="pv-count" aria-live="polite">'
        f"{_plural(len(cards), 'card')}</span>\n"
        "</div>\n"
        f'<ul class="pv-toc">{"".join(toc)}</ul>\n'
        "</header>\n<main>\n"
        + "".join(sections)
        + f"</main>\n<script>{script}</script>\n</body>\n</html>\n"
    )


def _safe_media_name(name: str) -> bool:
    """A stored media name is a bare file name; anything else is never written."""
    return bool(name) and Path(name).name == name and not name.startswith(".")


def write_preview(
    releases: Sequence[DeckRelease], media: Mapping[str, Path], out_dir: Path
) -> Path:
    """Write <out_dir>/preview/index.html (plus copied media) and return its path."""
    folder = out_dir / PREVIEW_DIR
    media_folder = folder / MEDIA_DIR
    names = sorted(
        {
            name
            for release in releases
            for note in release.notes
            for name in note.media
            if name in media and _safe_media_name(name)
        }
    )
    available = {name: f"{MEDIA_DIR}/{quote(name)}" for name in names}
    page = page_html(releases, preview_cards(releases, available))
    media_folder.mkdir(parents=True, exist_ok=True)
    # Media first, so the page never points at a file not written yet.
    for name in names:
        data = media[name].read_bytes()
        target = media_folder / name
        if not target.is_file() or target.read_bytes() != data:
            write_atomically(target, data)
    path = folder / PAGE_NAME
    write_atomically(path, page.encode("utf-8"))
    # Files a previous preview copied and this one does not show.
    wanted = set(names)
    for stale in sorted(media_folder.iterdir()):
        if stale.is_file() and stale.name not in wanted:
            stale.unlink()
    return path
