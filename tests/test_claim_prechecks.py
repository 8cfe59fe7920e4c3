"""Claims first search the text for what a claim needs, and skip the full analysis of files that
lack it: the score must be exactly the one the full analysis gives, on every file we have."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from builder.discover import SourceFile, discover
from builder.readers import READERS, checkbox_questions, exam_export, numbered_questions, obsidian
from tests.conftest import FIXTURES, REPO

SHARED = Path(os.environ.get("SHARED_FIXTURES", REPO.parent / "shared" / "fixtures"))

FULL_SCORES: dict[str, Callable[[SourceFile], int]] = {
    "obsidian": obsidian._claim_score,
    "checkbox-questions": checkbox_questions._claim_score,
    "numbered-questions": numbered_questions._claim_score,
    "exam-text-export": exam_export._text_claim_score,
    "exam-markdown-export": exam_export._markdown_claim_score,
}
"""Each reader whose claim searches first, and its claim worked out in full."""

EDITS: dict[str, Callable[[str], str]] = {
    "as written": lambda text: text,
    "indented by tabs": lambda text: text.replace("\n    ", "\n\t").replace("\n  ", "\n\t"),
    "indented one more": lambda text: text.replace("\n", "\n "),
    "upper case": str.upper,
    "no bold": lambda text: text.replace("**", "").replace("__", ""),
    "no tags": lambda text: text.replace("<", "&lt;"),
    "no colons": lambda text: text.replace(":", " "),
    "no blank lines": lambda text: text.replace("\n\n", "\n"),
}
"""Edits that take away or move what the searches look for, so that files the full analysis
still scores are also claimed without it."""


def _sources() -> Iterator[SourceFile]:
    roots = [FIXTURES, REPO / "source_notes"]
    if SHARED.is_dir():
        roots.append(SHARED)
    for root in roots:
        files, _ = discover([root])
        assert files, root
        yield from files


SOURCES = list(_sources())


def test_the_fixtures_give_every_reader_files_it_claims_and_files_it_does_not() -> None:
    for name in FULL_SCORES:
        scores = [READERS[name].claim(source) for source in SOURCES]
        assert any(scores) and not all(scores), name


@pytest.mark.parametrize(
    ("edit", "suffix"),
    [
        *((edit, "") for edit in EDITS),
        # Claims look at the file's ending too: every file once as Markdown, once as text.
        ("as written", ".md"),
        ("as written", ".txt"),
        ("indented by tabs", ".txt"),
        ("no bold", ".md"),
    ],
)
def test_claim_equals_the_full_analysis(edit: str, suffix: str) -> None:
    mismatches = []
    for source in SOURCES:
        text = EDITS[edit](source.text)
        path = source.path.with_name(source.path.name + suffix) if suffix else source.path
        changed = replace(source, path=path, text=text)
        for name, full_score in FULL_SCORES.items():
            claim, full = READERS[name].claim(changed), full_score(changed)
            if claim != full:
                mismatches.append((changed.display_path, name, claim, full))
    assert mismatches == []


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("obsidian", "Front::back"),
        ("obsidian", "A ==cloze== line"),
        ("obsidian", "## Question #card\nAnswer"),
        ("checkbox-questions", "## Which one?\n- [ ] a\n- [x] b\n"),
        ("checkbox-questions", "## Which one?\n\t1) [ ] a\n\t2) [X] b\n"),
        ("numbered-questions", "1. Which one?\n   A. a\n   **B. b**\n"),
        ("numbered-questions", "### 1. Which one?\n- a\n- b\n\nAns is: b\n"),
        ("numbered-questions", "  Q. #1: Which one?\n- A. a\n- B. b\n\n# Solution\nB\n"),
        ("numbered-questions", "**Q1** Which one?\nA) a\nB) b\n<details>B</details>\n"),
        ("numbered-questions", "# __2.__ Which one?\n(a) a\n(b) b\n\nAnswer：b\n"),
        ("exam-text-export", "  NEW QUESTION 3\nWhich one?\nA. a\nB. b\nAnswer: B\n"),
        ("exam-text-export", "**Question 3**\nWhich one?\nA. a\nB. b\nAnswer: B\n"),
        ("exam-text-export", "Actual exam question from X\nWhich one?\nA. a\nB. b\nAnswer: B\n"),
        ("exam-markdown-export", "## Exam X topic 1 question 3 discussion\nWhich?\nA. a\nB. b\n"),
        ("exam-markdown-export", "   ### question 3\nWhich one?\nA. a\nB. b\nAnswer: B\n"),
    ],
)
def test_each_way_of_writing_a_claimed_file_passes_the_search(name: str, text: str) -> None:
    for suffix in (".md", ".txt"):
        source = SourceFile(Path("/notes"), Path("/notes/a" + suffix), "a" + suffix, text)
        assert READERS[name].claim(source) == FULL_SCORES[name](source) > 0, (suffix, text)
