"""Repair text damaged on its way into the notes: mojibake, look-alike letters, odd spaces.

ftfy undoes text decoded with the wrong encoding (`AWSÂ\\xa0data`, `â€™`); what it cannot see
is repaired here: UTF-8 quotes read as Hebrew cp1255 (`ג€processedג€`), a lone `Â` left where a
non-breaking space was lost, and Cyrillic letters inside Latin words (`К-means`).
"""

from __future__ import annotations

import re

# UTF-8 punctuation (E2 80 xx) read as cp1255: "ג€" plus what became of the third byte.
HEBREW_MOJIBAKE = {"™": "’", "˜": "‘", "œ": "“", "¦": "…", "“": "–", "”": "—", "¢": "•"}
HEBREW_MOJIBAKE_RE = re.compile("ג€([™˜œ¦“”¢]|[\\x80-\\x9f\\ufffd]?)")
LOST_NBSP_RE = re.compile(r"(?<=[A-Za-z0-9.,;:)])Â(?=\s)")
CYRILLIC_LOOKALIKES = str.maketrans("АВЕКМНОРСТХаеорсухіјѕ", "ABEKMHOPCTXaeopcyxijs")
MIXED_WORD_RE = re.compile(r"[\w-]*[А-Яа-яіјѕ][\w-]*")
LATIN_RE = re.compile(r"[A-Za-z]")
CYRILLIC_RE = re.compile(r"[А-Яа-яЁёіјѕ]")


def _latinize(match: re.Match[str]) -> str:
    word = match.group(0)
    # Only words that mix scripts: a Russian word stays Russian.
    if not LATIN_RE.search(word):
        return word
    fixed = word.translate(CYRILLIC_LOOKALIKES)
    return fixed if not CYRILLIC_RE.search(fixed) else word


def repair_text(text: str) -> tuple[str, int]:
    """The repaired text and how many places were changed (0 when it was clean)."""
    if text.isascii():
        return text, 0  # mojibake, look-alikes and odd spaces are all outside ASCII
    import ftfy  # slow to import and to run; only text outside ASCII needs it

    repaired = ftfy.fix_text(text, uncurl_quotes=False, fix_line_breaks=False, normalization=None)
    repaired = HEBREW_MOJIBAKE_RE.sub(lambda m: HEBREW_MOJIBAKE.get(m.group(1), '"'), repaired)
    repaired = LOST_NBSP_RE.sub("", repaired)
    repaired = MIXED_WORD_RE.sub(_latinize, repaired)
    # A non-breaking space breaks Markdown list indentation and search; a space does neither.
    # Replacing it is routine, not a repair worth reporting.
    repaired = repaired.replace("\u00a0", " ")
    plain = text.replace("\u00a0", " ")
    if repaired == plain:
        return repaired, 0
    lines = zip(plain.split("\n"), repaired.split("\n"), strict=False)
    return repaired, max(1, sum(1 for a, b in lines if a != b))
