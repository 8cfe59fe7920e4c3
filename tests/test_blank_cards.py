"""A card that would show nothing is left out with a warning; control characters never reach
a field; a reader that fails while sniffing a file fails that file alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.discover import SourceFile
from builder.files import FileWorker
from builder.inputs import FileSettings
from builder.model import QA, Card, Choice, Cloze, MultipleChoice, SourceRef
from builder.pipeline import BuildConfig, build
from builder.readers.html_questions import HtmlQuestionReader
from builder.transforms.render import FieldRenderer, render_cards
from builder.transforms.visible import blank_side
from tests.helpers import source


def rendered(content: QA | Cloze | MultipleChoice, tmp_path: Path) -> object:
    card = Card(content, "Deck", SourceRef("a.md", 3))
    (one,) = render_cards([card], FieldRenderer([tmp_path], []), [tmp_path]).cards
    return one


@pytest.mark.parametrize(
    ("content", "blank"),
    [
        (QA("<!-- only a comment -->", "An answer"), "the front shows nothing"),
        (QA("A question", "\u200b\u200d"), "the back shows nothing"),
        (QA("A question", ">"), "the back shows nothing"),
        (QA("<script>x()</script>", "An answer"), "the front shows nothing"),
        (Cloze("A {{c0::shard}} holds records."), "the cloze numbers a deletion c0"),
        (Cloze("A {{c1::shard}} and {{c0::x}}."), "the cloze numbers a deletion c0"),
        (Cloze("A {{c1::}} holds records."), "a cloze deletion hides nothing"),
        (Cloze("A {{c1::\u200b}} holds {{c2::records}}."), "a cloze deletion hides nothing"),
        (
            MultipleChoice("Which one?", (Choice("Kinesis", True), Choice("[[]]", False))),
            "a choice shows nothing",
        ),
    ],
)
def test_a_side_that_shows_nothing_is_found(
    content: QA | Cloze | MultipleChoice, blank: str, tmp_path: Path
) -> None:
    found = blank_side(rendered(content, tmp_path))  # type: ignore[arg-type]
    assert found is not None and found.startswith(blank)


@pytest.mark.parametrize(
    "content",
    [
        QA("A question", "![diagram](missing.png)"),
        QA("What is `0`?", "Zero"),
        Cloze("A {{c2::shard}} and a {{c1::record::hint}}."),
        MultipleChoice("Which?", (Choice("A one", True), Choice("B two", False))),
    ],
)
def test_cards_that_show_something_pass(
    content: QA | Cloze | MultipleChoice, tmp_path: Path
) -> None:
    assert blank_side(rendered(content, tmp_path)) is None  # type: ignore[arg-type]


def test_blank_cards_are_left_out_with_a_warning_and_control_characters_dropped(
    tmp_path: Path,
) -> None:
    text = (
        "A {{c0::zero}} cloze.\n\n"
        "## Empty back #card\n<!-- nothing -->\n\n"
        "## What splits Anki fields?\x1f #card\nThe unit\x1f separator.\n"
    )
    worker = FileWorker(FileSettings((tmp_path,), (), "Deck", None))
    outcome = worker.process(source(text, root=tmp_path))
    blanks = sorted((d.line, d.code) for d in outcome.diagnostics if d.code == "blank-side")
    assert blanks == [(1, "blank-side"), (3, "blank-side")]
    (card,) = outcome.cards
    assert card.rendered.fields[:2] == ("What splits Anki fields?", "The unit separator.")


def test_a_claim_that_raises_fails_its_file_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "page.html").write_text("<html><body><p>Question 1?</p></body></html>")
    (notes / "cards.md").write_text("A fact::its answer\n")

    real_claim = HtmlQuestionReader.claim

    def broken(self: HtmlQuestionReader, source: SourceFile) -> int:
        if source.display_path.endswith(".html"):
            raise AttributeError("simulated claim bug")
        return real_claim(self, source)

    monkeypatch.setattr(HtmlQuestionReader, "claim", broken)
    result = build(BuildConfig((notes,), (), tmp_path / "out", lock=None, jobs=1))
    assert not result.failed and result.note_count == 1
    (problem,) = [d for d in result.diagnostics if d.code == "reader-failed"]
    assert problem.path == "page.html"
    assert "html-questions reader failed: AttributeError: simulated claim bug" in problem.message
