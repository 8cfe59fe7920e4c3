"""No field of the built starter deck shows raw Markdown or Obsidian syntax to the learner."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.pipeline import BuildConfig, BuildResult, build
from tests.conftest import FIXTURES

LEAKS = {
    "bold": re.compile(r"\*\*"),
    "underscore bold": re.compile(r"(?<![\w\\])__\S"),
    "wiki link": re.compile(r"\[\[|\]\]"),
    "image syntax": re.compile(r"!\["),
    "anchor link": re.compile(r"\]\(#"),
    "card tag": re.compile(r"#card"),
    "highlight": re.compile(r"=="),
    "html comment": re.compile(r"<!--"),
    "inline math": re.compile(r"(?<![\\$])\$(?!\s)[^$\n]+?(?<!\s)\$(?!\d)"),
    "double colon": re.compile(r"::"),
}
CLOZE_RE = re.compile(r"\{\{c\d+::.*?\}\}", re.DOTALL)


def visible_text(html: str) -> str:
    """What the learner reads: text outside code, with cloze deletions removed."""
    soup = BeautifulSoup(html, "html.parser")
    for code in soup.find_all(["code", "pre"]):
        code.decompose()
    return CLOZE_RE.sub(" ", soup.get_text(" "))


def test_no_field_leaks_syntax(starter: BuildResult) -> None:
    leaks = []
    for note in starter.notes:
        for field in note.tagged.rendered.fields:
            text = visible_text(field) + (" <!--" if "<!--" in field else "")
            for name, pattern in LEAKS.items():
                if pattern.search(text):
                    leaks.append(f"{note.card.source}: {name}: {text[:120]!r}")
    assert leaks == []


@pytest.mark.parametrize("clothes", ["markdown", "text", "html"])
def test_study_notes_in_every_clothes_leak_nothing(clothes: str, tmp_path: Path) -> None:
    """Our study-guide fixtures, as Markdown, text and a saved article, give clean cards."""
    notes = tmp_path / "notes"
    notes.mkdir()
    for path in (FIXTURES / "notes" / clothes).iterdir():
        if not path.name.endswith(".expected.json"):
            shutil.copy(path, notes / path.name)
    result = build(BuildConfig((notes,), (), tmp_path / "dist"))
    assert len(result.notes) >= 10
    for note in result.notes:
        front, back = note.tagged.rendered.fields[:2]
        assert visible_text(front).strip() and visible_text(back).strip(), note.card.source
        for field in note.tagged.rendered.fields:
            text = visible_text(field) + (" <!--" if "<!--" in field else "")
            leaked = [name for name, pattern in LEAKS.items() if pattern.search(text)]
            assert leaked == [], (str(note.card.source), text[:200])


def test_leak_patterns_catch_what_they_should(tmp_path: Path) -> None:
    samples = [
        "**bold**",
        "__x",
        "[[Page]]",
        "![img](a.png)",
        "[toc](#x)",
        "#card",
        "==hl==",
        "<!-- c -->",
        "$x^2$",
        "A::B",
    ]
    for sample in samples:
        assert any(p.search(sample) for p in LEAKS.values()), sample
    assert not any(p.search(visible_text("costs USD 5 and {{c1::x}}")) for p in LEAKS.values())
