"""The preview's card renderer: the template subset on its own, then every card of built
packages compared with what Anki's own engine renders."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection
from anki.decks import DeckId
from anki.notes import Note as AnkiNote
from bs4 import BeautifulSoup

from builder.pipeline import BuildConfig, BuildResult, build
from builder.writers.anki_templates import (
    TemplateError,
    cloze_filter,
    cloze_numbers,
    field_is_empty,
    render_card,
    render_template,
    reveal_clozes,
)
from builder.writers.apkg import card_ordinals
from builder.writers.notetypes import note_type_for, note_types
from tests.anki_import import import_package
from tests.conftest import FIXTURES

FIELDS = {"Front": "Q <b>1</b>", "Back": "A", "Empty": " <br> <div></div>\n", "Nbsp": "\u00a0"}


def test_fields_are_inserted_as_html() -> None:
    assert render_template("<p>{{Front}}</p>|{{ Back }}", FIELDS, 0) == "<p>Q <b>1</b></p>|A"


def test_sections_show_on_filled_fields_and_negated_ones_on_empty_fields() -> None:
    template = "{{#Back}}b{{/Back}}{{#Empty}}e{{/Empty}}{{^Empty}}!e{{/Empty}}{{^Back}}!b{{/Back}}"
    assert render_template(template, FIELDS, 0) == "b!e"
    # Only ASCII whitespace and empty <br>/<div> tags make a field empty, as in Anki.
    assert field_is_empty(" <BR/> <div />\n") and not field_is_empty("\u00a0")
    assert render_template("{{#Nbsp}}n{{/Nbsp}}", FIELDS, 0) == "n"
    assert render_template("{{#A}}{{#Back}}x{{/Back}}{{/A}}", {**FIELDS, "A": "1"}, 0) == "x"


def test_front_side_is_the_rendered_question_on_the_answer() -> None:
    assert render_template("{{FrontSide}}<hr id=answer>{{Back}}", FIELDS, 0, "Q!") == (
        "Q!<hr id=answer>A"
    )
    assert render_template("{{FrontSide}}", FIELDS, 0) == ""


def test_comments_are_kept_and_not_parsed() -> None:
    assert render_template("<!-- {{Missing}} -->{{Back}}", FIELDS, 0) == "<!-- {{Missing}} -->A"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{Missing}}", "no field 'Missing'"),
        ("{{#Missing}}x{{/Missing}}", "no field 'Missing'"),
        ("{{#Back}}x", "never closed"),
        ("x{{/Back}}", "closes no open section"),
        ("{{#Back}}x{{/Front}}", "closes no open section"),
        ("{{text:Back}}", "filter 'text' is not supported"),
    ],
)
def test_what_the_renderer_does_not_know_is_an_error(template: str, message: str) -> None:
    with pytest.raises(TemplateError, match=message):
        render_template(template, FIELDS, 0)


CLOZE = "A {{c1::x::hint}} and {{c2::outer {{c3::inner}} y}} then {{c1::second}}."


def test_cloze_front_hides_the_active_cloze_with_ankis_markup() -> None:
    assert reveal_clozes(CLOZE, 1, question=True) == (
        'A <span class="cloze" data-cloze="x" data-ordinal="1">[hint]</span> and '
        '<span class="cloze-inactive" data-ordinal="2">outer '
        '<span class="cloze-inactive" data-ordinal="3">inner</span> y</span> then '
        '<span class="cloze" data-cloze="second" data-ordinal="1">[...]</span>.'
    )


def test_cloze_back_reveals_the_active_cloze() -> None:
    assert reveal_clozes(CLOZE, 1, question=False) == (
        'A <span class="cloze" data-ordinal="1">x</span> and '
        '<span class="cloze-inactive" data-ordinal="2">outer '
        '<span class="cloze-inactive" data-ordinal="3">inner</span> y</span> then '
        '<span class="cloze" data-ordinal="1">second</span>.'
    )


def test_nested_clozes_hide_everything_inside_the_active_one() -> None:
    front = reveal_clozes(CLOZE, 2, question=True)
    assert BeautifulSoup(front, "html.parser").get_text() == "A x and [...] then second."
    # The hidden text goes into data-cloze, escaped as Anki escapes it.
    assert 'data-cloze="outer&#x20;&lt;span&#x20;class&#x3D;&quot;cloze&#x2D;inactive' in front
    third = BeautifulSoup(reveal_clozes(CLOZE, 3, question=True), "html.parser").get_text()
    assert third == "A x and outer [...] y then second."


def test_a_card_without_its_cloze_is_empty_and_numbers_are_found_nested() -> None:
    assert reveal_clozes(CLOZE, 4, question=True) == ""
    assert cloze_numbers(CLOZE) == [1, 2, 3]
    assert cloze_numbers("{{c0::zero}} {{c2::two}} }} {{c1::unclosed") == [2]


def test_markup_inside_math_is_stripped_after_revealing() -> None:
    text = r"\(a^{{c1::2}}\) and <b>{{c2::b}}</b>"
    assert cloze_filter(text, 1, question=True) == (
        r'\(a^[...]\) and <b><span class="cloze-inactive" data-ordinal="2">b</span></b>'
    )
    assert cloze_filter(text, 1, question=False).startswith(r"\(a^2\)")


def test_cards_of_every_note_type_render() -> None:
    basic = note_types()["basic-reversed"]
    sides = render_card(basic, ["Term", "Definition", "", "notes.md"], 1)
    assert '<div class="prompt">Definition</div>' in sides.question
    assert "Term" not in sides.question and "context" not in sides.question
    assert '<div class="answer">Term</div>' in sides.answer
    cloze = render_card(note_types()["cloze"], ["{{c1::Paris}} is in France", "", "", ""], 0)
    assert text_of(cloze.question) == "[...] is in France"
    assert '<span class="cloze" data-ordinal="1">Paris</span>' in cloze.answer


# Against Anki's engine ---------------------------------------------------------------------


def without_css(html: str) -> str:
    """A side as Anki renders it, without the note type's leading <style> block."""
    return re.sub(r"^<style>.*?</style>", "", html, flags=re.DOTALL)


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


def assert_same_as_anki(note: AnkiNote, fields: list[str], ordinals: list[int]) -> int:
    """Compare each card of the note with ours, text first (a readable failure), then HTML;
    the number of cards compared."""
    note_type = next(t for t in note_types().values() if t.model_id == note.mid)
    cards = {card.ord: card for card in note.cards()}
    assert sorted(cards) == sorted(ordinals), note.guid
    for ordinal in ordinals:
        ours = render_card(note_type, fields, ordinal)
        question = without_css(cards[ordinal].question())
        answer = without_css(cards[ordinal].answer())
        assert text_of(ours.question) == text_of(question), (note.guid, ordinal)
        assert text_of(ours.answer) == text_of(answer), (note.guid, ordinal)
        assert (ours.question, ours.answer) == (question, answer), (note.guid, ordinal)
    return len(ordinals)


@pytest.fixture
def vault(tmp_path: Path) -> BuildResult:
    return build(BuildConfig(sources=(FIXTURES / "vault",), media=(), out=tmp_path / "dist"))


def every_card_matches(result: BuildResult, collection: Collection) -> Iterator[int]:
    for package in result.packages:
        import_package(collection, package.path)
    by_guid = {
        collection.get_note(i).guid: collection.get_note(i) for i in collection.find_notes("")
    }
    for release in result.releases:
        for note in release.notes:
            ordinals = card_ordinals(note_type_for(note.kind).model, note)
            yield assert_same_as_anki(by_guid[note.guid], list(note.fields), ordinals)


def test_every_card_of_the_fixture_vault_renders_as_in_anki(
    vault: BuildResult, collection: Collection
) -> None:
    assert sum(every_card_matches(vault, collection)) == collection.card_count() == 17


def test_every_card_of_the_starter_deck_renders_as_in_anki(
    starter: BuildResult, collection: Collection
) -> None:
    compared = sum(every_card_matches(starter, collection))
    assert compared == collection.card_count() > 400


@pytest.mark.parametrize(
    "text",
    [
        CLOZE,
        r"\(a^{{c1::2}}\) \[ x = {{c2::<b>y</b>::h<i>i</i>}} \] and \(z\] &lt;b&gt;",
        "é {{c1::naïve “quoted” 'q' \u00a0nbsp\nline &amp; <b>b</b> /-=}} tail }} stray",
        "{{c0::zero}} {{c2::two}} {{c99999::big}} {{c1::a::b::c}}",
        "{{c1::a {{c1::b}} c}} {{c2::{{c3::{{c4::deep}}}}}}",
    ],
)
def test_cloze_edge_cases_render_as_in_anki(
    text: str, vault: BuildResult, collection: Collection
) -> None:
    import_package(collection, vault.packages[0].path)
    cloze_type = note_types()["cloze"]
    anki_type = collection.models.by_name(cloze_type.name)
    assert anki_type is not None
    note = collection.new_note(anki_type)
    fields = [text, " <br> ", "<div></div>", "\u00a0"]
    for name, value in zip(cloze_type.fields, fields, strict=True):
        note[name] = value
    collection.add_note(note, DeckId(1))
    assert_same_as_anki(note, fields, [n - 1 for n in cloze_numbers(text)])
