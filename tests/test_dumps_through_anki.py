"""Every question-dump fixture, built alone and imported into Anki, gives exactly its questions.

Each fixture's golden file lists the questions its reader must find; here the whole pipeline
chooses the reader by sniffing, packages the questions, and the real Anki importer shows them.
No field may carry site noise.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from anki.collection import Collection

from builder.pipeline import BuildConfig, build
from tests.anki_import import import_package, imported_notes
from tests.conftest import FIXTURES

DUMPS = FIXTURES / "dumps"
CASES = sorted(
    p
    for p in DUMPS.glob("*/*")
    if not p.name.endswith(".expected.json") and p.with_suffix(".expected.json").exists()
)
NOISE = re.compile(
    r"Timestamp:|View on |-{8,}|Reveal Solution|Hide Solution|Community vote distribution"
    r"|upvoted|Discussion \d|Most Voted|Actual exam question|Selected Answer",
    re.IGNORECASE,
)


def letters_only(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", re.sub(r"<[^>]+>", "", text).lower())


@pytest.mark.parametrize("dump", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_dump_questions_reach_anki_exactly(
    dump: Path, tmp_path: Path, collection: Collection
) -> None:
    expected = [
        c
        for c in json.loads(dump.with_suffix(".expected.json").read_text())["cards"]
        if c["kind"] == "multiple-choice"
    ]
    notes_dir = tmp_path / "notes"
    notes_dir.mkdir()
    shutil.copy(dump, notes_dir / dump.name)
    result = build(BuildConfig((notes_dir,), (), tmp_path / "dist"))
    assert not result.failed
    questions = [n for n in result.notes if n.card.kind.value == "multiple-choice"]
    assert len(questions) == len(expected), [str(d) for d in result.diagnostics]
    for package in result.packages:
        import_package(collection, package.path)
    notes = [
        n for n in imported_notes(collection) if n.note_type == "Deck Builder: Multiple choice"
    ]
    assert len(notes) == len(expected)

    by_stem = {letters_only(n.fields["Question"])[:30]: n for n in notes}
    assert len(by_stem) == len(notes)
    for card in expected:
        note = by_stem.get(letters_only(card["question"])[:30])
        assert note is not None, card["question"]
        assert note.fields["Answer"] == ", ".join(card["answer"])
        shown = re.findall(
            r'<span class="choice-text">(.*?)</span></li>', note.fields["Choices"], re.DOTALL
        )
        assert [letters_only(c) for c in shown] == [letters_only(c) for c in card["choices"]]
        for name, value in note.fields.items():
            assert not NOISE.search(value), (name, value)


def test_same_question_in_two_dump_formats_is_one_note(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "q.md").write_text(
        "### Which service runs serverless SQL queries over data stored in Amazon S3?\n"
        "- [ ] Amazon EMR\n- [x] Amazon Athena\n- [ ] AWS Glue\n\n"
        "Explanation: Athena is serverless and bills per TB scanned.\n"
    )
    (notes / "q.json").write_text(
        json.dumps(
            [
                {
                    "question": "Which service runs serverless SQL queries over data stored "
                    "in Amazon S3 ?",
                    "choices": {"B": "Amazon Athena", "A": "Amazon EMR", "C": "AWS Glue"},
                    "answer": "B",
                }
            ]
        )
    )
    result = build(BuildConfig((notes,), (), tmp_path / "dist"))
    (note,) = result.notes
    assert {str(s) for s in note.tagged.sources} == {"q.md:1", "q.json:1"}
    assert "bills per TB" in note.tagged.rendered.fields[3]  # the richer copy, with explanation
    report = json.loads(result.report_path.read_text())
    merges = [d for d in report["diagnostics"] if d["code"] == "near-duplicate"]
    assert len(merges) == 1 and "q.md:1" in merges[0]["message"]
