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
    """The reader with the strongest claim on the file; ties go to the earlier entry."""
    best: Reader | None = None
    best_score = 0
    for reader in READERS.values():
        score = reader.claim(source)
        if score > best_score:
            best, best_score = reader, score
    return best


__all__ = ["READERS", "ReadContext", "ReadResult", "Reader", "choose_reader"]
