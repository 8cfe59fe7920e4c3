"""Readers, one per input format, in one registry: name → reader.

A file goes to the reader that claims it most strongly after sniffing its content; adding a
format is one module, one line here, and its fixtures.
"""

from __future__ import annotations

from builder.discover import SourceFile
from builder.readers.base import ReadContext, Reader, ReadResult
from builder.readers.checkbox_questions import CheckboxQuestionReader
from builder.readers.exam_export import ExamMarkdownExportReader, ExamTextExportReader
from builder.readers.html_questions import HtmlQuestionReader
from builder.readers.json_questions import JsonQuestionReader
from builder.readers.numbered_questions import NumberedQuestionReader
from builder.readers.obsidian import ObsidianReader
from builder.readers.study_notes import StudyNotesReader

READERS: dict[str, Reader] = {
    "obsidian": ObsidianReader(),
    "checkbox-questions": CheckboxQuestionReader(),
    # Before the exam exports: on `Q1.` files both claim, and this one also reads text answers.
    "numbered-questions": NumberedQuestionReader(),
    "exam-text-export": ExamTextExportReader(),
    "exam-markdown-export": ExamMarkdownExportReader(),
    "json-questions": JsonQuestionReader(),
    "html-questions": HtmlQuestionReader(),
    "study-notes": StudyNotesReader(),
}


def choose_reader(source: SourceFile) -> Reader | None:
    """The reader with the strongest claim on the file; ties go to the earlier entry. A
    claim that raises is raised: `claim_file` is the form that catches it."""
    return claim_file(source, catch=False)[0]


def claim_file(
    source: SourceFile, *, catch: bool = True
) -> tuple[Reader | None, list[tuple[Reader, Exception]]]:
    """The reader with the strongest claim on the file, and the readers whose claim failed
    (with `catch`; a file one of them failed on is better not read by another)."""
    best: Reader | None = None
    best_score = 0
    failures: list[tuple[Reader, Exception]] = []
    for reader in READERS.values():
        try:
            score = reader.claim(source)
        except Exception as error:
            if not catch:
                raise
            failures.append((reader, error))
            continue
        if score > best_score:
            best, best_score = reader, score
    return best, failures


__all__ = ["READERS", "ReadContext", "ReadResult", "Reader", "choose_reader", "claim_file"]
