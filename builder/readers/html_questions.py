"""Saved exam-practice web pages (FORMATS.md 3g): question blocks with lettered choices and a
revealed or community-voted answer, read with BeautifulSoup.

The markup of the big exam-practice sites (a card per question):

    <div class="card exam-question-card">
      <div class="card-header">Question #12 <span>Topic 1</span></div>
      <div class="card-body question-body">
        <p class="card-text">Which service runs SQL on files in S3?</p>
        <div class="question-choices-container"><ul>
          <li class="multi-choice-item"><span class="multi-choice-letter">A.</span> EMR</li>
          <li class="multi-choice-item correct-hidden"><span …>B.</span> Athena</li>
        </ul></div>
        <p class="question-answer">Correct Answer: <span class="correct-answer">B</span></p>
      </div>
    </div>

and plain pages where a `Question 12` heading is followed by the stem, a lettered list
(`A. …` items or `<ol type="A">`) and an `Answer: B` line or a choice with a `correct` class.

The answer is, in order: the revealed one ("Correct Answer: B", a `.correct-answer`
element), the choices the page marks correct (`correct-hidden`, `correct`, …), else the
community's ("Most Voted" badge, vote tally). Vote shares are kept as a "Community votes:"
line in the explanation. Scripts, navigation, ads, comment threads, buttons and timestamps
never reach a card. Lines come from `html.parser`, the parser that records each tag's line.

The HTML-to-Markdown helpers here are shared with the JSON reader, whose values are often HTML.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import repeat
from pathlib import PurePosixPath
from typing import Any

from bs4 import BeautifulSoup
from bs4.element import Comment, NavigableString, PageElement, PreformattedString, Tag
from bs4.exceptions import ParserRejectedMarkup

from builder.diagnostics import Diagnostic, Severity
from builder.discover import SourceFile
from builder.model import choice_letter
from builder.readers import questions
from builder.readers.base import ReadContext, ReadResult
from builder.readers.questions import (
    QuestionSource,
    RawQuestion,
    answer_letters,
    community_votes_line,
    match_choice,
    question_cards,
)

# --- HTML to Markdown -------------------------------------------------------------------------

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml"})
HTML_START_RE = re.compile(r"\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S)
HTML_TAG_RE = re.compile(
    r"</?(?:p|br|div|span|img|b|strong|i|em|u|ul|ol|li|code|pre|a|h[1-6]|table|tr|td|th|sup|"
    r"sub|hr|font|mark|blockquote|section)\b[^>]*>|&(?:[a-z]{2,8}|#\d{1,6}|#x[0-9a-f]{1,5});",
    re.I,
)
ASCII_SPACE_RE = re.compile(r"[\t\n\r\f\v][ \t\n\r\f\v]*| [ \t\n\r\f\v]+")
"""A run of ASCII whitespace other than a lone space: replacing these with a space is replacing
every run, as `[ \t\n\r\f\v]+` does, but text whose words are one space apart (most text)
gives no match, where the plain run replaced each space again (a 170-character stem: 6 -> 1.6
µs)."""
SPACE_RUN_RE = re.compile(r" {2,}")
SKIPPED_TAGS = frozenset(
    {
        "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "canvas",
        "button", "input", "select", "textarea", "head", "title", "meta", "link",
    }
)  # fmt: skip
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "caption", "center", "dd", "details",
        "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
        "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "main", "nav", "ol", "p", "section",
        "summary", "table", "tbody", "tfoot", "thead", "tr", "ul",
    }
)  # fmt: skip
EMPHASIS = {"b": "**", "strong": "**", "i": "*", "em": "*"}
ENDED_TAGS = frozenset({"pre", "code", "td", "th", *EMPHASIS, *BLOCK_TAGS})
"""Tags whose end `html_to_markdown` marks; it passes the end of any other tag by."""
CHOICES_MARK = "\x00"
"""Stands in for a question's choice list while the rest of its block becomes Markdown."""


def looks_like_html(value: str) -> bool:
    """True when a text value holds HTML tags or entities rather than plain text."""
    # Every tag starts with "<" and every entity with "&": two scans for a character cost a
    # fifth of the search, and most values have neither.
    return ("<" in value or "&" in value) and HTML_TAG_RE.search(value) is not None


def _wrap(inner: str, mark: str) -> str:
    """`inner` emphasised with `mark`, whitespace kept outside the marks."""
    core = inner.strip()
    if not core or "\n\n" in core:
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    if mark == "`" and "`" in core:
        return f"{lead}`` {core} ``{trail}"
    return f"{lead}{mark}{core}{mark}{trail}"


def _image(tag: Tag) -> str:
    src = tag.get("src") or tag.get("data-src")
    if not isinstance(src, str) or not src.strip() or src.strip().startswith("data:"):
        return ""
    alt = tag.get("alt")
    alt_text = re.sub(r"[\[\]\n]", " ", alt).strip() if isinstance(alt, str) else ""
    target = src.strip()
    if re.search(r"[\s()<>]", target):
        target = f"<{target.replace('<', '%3C').replace('>', '%3E')}>"
    return f"![{alt_text}]({target})"


def tidy_markdown(text: str) -> str:
    """Lines stripped, runs of spaces and blank lines collapsed; fenced code left alone."""
    lines: list[str] = []
    in_fence = False
    for raw in text.split("\n"):
        line = raw.strip()
        if line == "```":
            in_fence = not in_fence
            lines.append("```")
            continue
        if in_fence:
            lines.append(raw.rstrip())
            continue
        if "  " in line:
            line = SPACE_RUN_RE.sub(" ", line)
        if line == "-":  # an empty list item
            continue
        if not line and (not lines or not lines[-1]):
            continue
        lines.append(line)
    return "\n".join(lines).strip("\n")


def html_to_markdown(node: PageElement, skipped: AbstractSet[int] = frozenset()) -> str:
    """The element's content as Markdown-ish text: line breaks and paragraphs kept, bold,
    italics, code and images marked up, links reduced to their text, every other tag dropped,
    as are the tags whose `id()` is in `skipped`, with their content.

    Walks the tree with its own stack, so no page is nested too deeply for it.
    """
    out: list[str] = []
    stack: list[tuple[PageElement, int]] = [(node, -1)]
    in_pre = 0
    while stack:
        element, start = stack.pop()
        if isinstance(element, NavigableString):
            if isinstance(element, PreformattedString):  # comments, doctype, CDATA
                continue
            text = element if in_pre else ASCII_SPACE_RE.sub(" ", element)
            out.append(text.replace("<", "&lt;"))
            continue
        if not isinstance(element, Tag):
            continue
        name = element.name.lower()
        if start >= 0:  # the element's end: everything since `start` is its content
            if name == "pre":
                in_pre -= 1
                inner = "".join(out[start:]).strip("\n")
                del out[start:]
                out.append(f"\n\n```\n{inner}\n```\n\n")
            elif name in EMPHASIS or (name == "code" and not in_pre):
                inner = "".join(out[start:])
                del out[start:]
                out.append(_wrap(inner, EMPHASIS.get(name, "`")))
            elif name in ("td", "th"):
                out.append(" ")
            elif name in BLOCK_TAGS:
                out.append("\n\n")
            continue
        if name in SKIPPED_TAGS or id(element) in skipped:
            continue
        if name == "br":
            out.append("\n")
            continue
        if name == "hr":
            out.append("\n\n")
            continue
        if name == "img":
            out.append(_image(element))
            continue
        if name == "pre":
            in_pre += 1
        if name == "li":
            out.append("\n- ")
        elif name in BLOCK_TAGS:
            out.append("\n\n")
        if name in ENDED_TAGS:
            stack.append((element, len(out)))
        stack.extend(zip(reversed(element.contents), repeat(-1)))
    return tidy_markdown("".join(out))


def fragment_to_markdown(value: str) -> str:
    """A text value that may hold HTML (`<p>stem</p>`, `<br>`) as Markdown-ish plain text."""
    value = value.replace("\r\n", "\n").replace("\r", "\n").replace(CHOICES_MARK, "")
    if not looks_like_html(value):
        return tidy_markdown(value)
    try:
        soup = BeautifulSoup(value, "html.parser")
    except ParserRejectedMarkup:
        return tidy_markdown(re.sub(r"<[^>]*>", " ", value))
    return html_to_markdown(soup)


# --- Site noise, answers and votes in text ----------------------------------------------------

QUESTION_LINE_RE = re.compile(
    r"(?:question|q[.#])\s*(?:#|no\.?|number)?\s*:?\s*(?P<number>\d+)\b"
    r"(?:\s*(?:of|/)\s*\d+)?(?:\s*[-–|,]?\s*topic\s*#?\s*:?\s*(?P<topic>\d+))?"
    r"(?:\s*[:.)\-–]\s*|\s+|$)(?P<rest>.*)",
    re.I,
)
TOPIC_RE = re.compile(r"\btopic\s*#?\s*:?\s*(\d+)", re.I)
HEADER_NUMBER_RE = re.compile(r"\b(?:question|q)\s*(?:#|no\.?|number)?\s*:?\s*(\d+)", re.I)
ANSWER_LINE_RE = re.compile(
    r"(?i:(?:correct|suggested|right|official)\s+)?(?i:answers?)(?:\s+(?i:is))?\s*[:：]\s*"
    r"(?P<letters>[A-Z](?:\s*(?:,|&|/|\+|\band\b)\s*[A-Z])+|[A-Z]{1,8})(?P<rest>.*)"
)
ANSWER_LABEL_RE = re.compile(
    r"\s*\**\s*(?:(?:correct|suggested|right|official)\s+)?answers?\s*\**\s*[:：]\s*\**\s*", re.I
)
EXPLANATION_LABEL_RE = re.compile(
    r"\s*\**\s*(?:explanation|rationale)\s*\**\s*(?:[:：]\s*\**\s*|$)", re.I
)
PAGE_HEADER_NUMBER_RE = re.compile(r"\bquestion\s*#?\s*:?\s*\d+", re.I)
VOTE_SHARE_RE = re.compile(r"\b([A-Z]{1,8})\s*\(\s*(\d{1,3})\s*%\s*\)")
VOTE_LINE_RE = re.compile(r"(?:[A-Z]{1,8}\s*\(\s*\d{1,3}\s*%\s*\)[\s,;]*)+")
NOISE_LINE_RE = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in (
            r"(?:question|q[.#])\s*(?:#|no\.?|number)?\s*:?\s*\d+(?:\s*(?:of|/)\s*\d+)?"
            r"(?:\s*[-–|,]?\s*topic\s*#?\s*:?\s*\d+)?",
            r"topic\s*#?\s*:?\s*\d+",
            r"(?:reveal|hide|show|view|check)\s+(?:the\s+)?(?:solution|answer)s?",
            r"community\s+vote\s+distribution",
            r"(?:discussion|comments?)\s*\(?\d*\)?",
            r"view\s+on\b.*",
            r"[-=_*~]{3,}",
            r"(?:timestamp|posted(?: on)?)\s*:.*",
            r"\d{4}-\d{2}-\d{2}(?:[ t]\d{1,2}:\d{2}(?::\d{2})?)?",
            r"(?:\d+|an?)\s+(?:years?|months?|weeks?|days?|hours?|minutes?|seconds?)"
            r"(?:,\s*\d+\s+\w+)?\s+ago",
            r"upvoted\s+\d+\s+times?",
            r"\d+\s+upvotes?",
            r"most\s+voted",
            r"(?:correct|suggested)?\s*answers?\s*:?",
            r"selected\s+answers?\s*:.*",
            r"actual\s+exam\s+question\s+from\b.*",
        )
    ),
    re.I,
)
"""One line of site furniture: it matches the whole line when one of its parts does."""


BULLET_RE = re.compile(r"^[-+]\s+")
MARKUP_RE = re.compile(r"[*_`\[\]]+")


def plain_line(line: str) -> str:
    """A Markdown line without emphasis marks, list bullet or link brackets, for matching."""
    text = line.strip()
    # Most lines have neither bullet nor marks: the tests are cheaper than the two `sub`s.
    if text[:1] in ("-", "+"):
        text = BULLET_RE.sub("", text)
    if "*" in text or "_" in text or "`" in text or "[" in text or "]" in text:
        text = MARKUP_RE.sub("", text)
    return text.strip()


def is_noise_line(line: str) -> bool:
    """A line that is site furniture: header, timestamp, button, link, separator, upvotes."""
    text = plain_line(line)
    return bool(text) and NOISE_LINE_RE.fullmatch(text) is not None


def drop_noise(text: str) -> str:
    """The text without its site-noise lines."""
    return tidy_markdown("\n".join(line for line in text.split("\n") if not is_noise_line(line)))


def answer_from_line(line: str) -> str | None:
    """`"Correct Answer: BD"`, `"**Answer:** B, D"` → the letters as written; else None."""
    match = ANSWER_LINE_RE.fullmatch(plain_line(line))
    if match is None:
        return None
    rest = match.group("rest").lstrip()
    if rest and (rest[0].isalnum() or rest[0] in "'=<>+*/^%"):
        return None  # "Answer: A company …" is a sentence and "TP = 45" a formula, not letters
    return match.group("letters")


def text_answer(answer: str, choices: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """(letter of the choice a worded answer names, what the answer says beyond it); the
    letter is "" and the whole answer comes back when no choice is named clearly enough."""
    match = match_choice(answer, [text for _, text in choices])
    if match is None:
        return "", answer
    return choices[match.index][0], match.rest


def vote_shares_from_text(text: str) -> list[tuple[str, int]]:
    """`"C (71%) B (29%)"` → `[("C", 71), ("B", 29)]`."""
    return [(letters, int(share)) for letters, share in VOTE_SHARE_RE.findall(text)]


def vote_shares_from_counts(counts: Sequence[tuple[str, float]]) -> list[tuple[str, int]]:
    """Vote counts → rounded percentage shares, in the given order; counts that are not
    finite numbers (1e308 twice sums to infinity) give no shares."""
    total = sum(count for _, count in counts if count > 0)
    if total <= 0 or not math.isfinite(total):
        return []
    return [(letters, round(100 * count / total)) for letters, count in counts if count > 0]


def tally_votes(entries: Iterable[object]) -> tuple[list[tuple[str, int]], str | None]:
    """A vote tally (`[{"voted_answers": "B", "vote_count": 31, "is_most_voted": true}]`) →
    (shares, the letters marked most voted)."""
    counts: list[tuple[str, float]] = []
    most_voted = None
    for entry in entries:
        if not isinstance(entry, dict):
            continue
        letters = entry.get("voted_answers") or entry.get("answer") or entry.get("answers")
        count = entry.get("vote_count", entry.get("count", entry.get("votes")))
        if isinstance(letters, list):
            letters = "".join(str(x) for x in letters)
        if not isinstance(letters, str) or not re.fullmatch(r"[A-Za-z]{1,8}", letters.strip()):
            continue
        letters = letters.strip().upper()
        if isinstance(count, str) and re.fullmatch(r"\d+(?:\.\d+)?", count.strip()):
            count = float(count)
        if isinstance(count, (int, float)) and not isinstance(count, bool):
            counts.append((letters, float(count)))
        if entry.get("is_most_voted") is True and most_voted is None:
            most_voted = letters
    return vote_shares_from_counts(counts), most_voted


def top_voted(shares: Sequence[tuple[str, int]]) -> str | None:
    """The letters with the largest share, when no other answer has as many."""
    if not shares:
        return None
    best = max(share for _, share in shares)
    leaders = [letters for letters, share in shares if share == best]
    return leaders[0] if len(leaders) == 1 and best > 0 else None


def with_votes(explanation: str, shares: Sequence[tuple[str, int]]) -> str:
    """The explanation with the community-votes line appended."""
    line = community_votes_line(shares)
    return "\n\n".join(part for part in (explanation.strip(), line) if part)


def topic_numbers(numbers: Sequence[str | None], topics: Sequence[str | None]) -> list[str | None]:
    """Question numbers, qualified by topic when the file has several topics (numbering
    restarts in each topic, so `12` alone would look like a duplicate)."""
    if len({t for t in topics if t}) < 2:
        return list(numbers)
    return [
        f"{number} (topic {topic})" if number and topic else number
        for number, topic in zip(numbers, topics, strict=True)
    ]


# --- Reading a page -----------------------------------------------------------------------------

CHOICE_CLASSES = frozenset(
    {"multi-choice-item", "choice", "choice-item", "option", "option-item", "answer-option"}
)
CORRECT_CLASSES = frozenset(
    {
        "correct-hidden", "correct", "correct-answer", "correct-choice", "correct-option",
        "is-correct", "right-answer", "answer-correct",
    }
)  # fmt: skip
BLOCK_CLASSES = frozenset(
    {
        "exam-question-card", "question-card", "discussion-header-container", "question-body",
        "question-block", "question-container", "question-item", "question-wrapper",
        "quiz-question", "question",
    }
)  # fmt: skip
HEADER_CLASSES = frozenset(
    {"card-header", "question-discussion-header", "question-header", "question-number"}
)
BADGE_CLASSES = frozenset({"most-voted-answer-badge", "badge", "vote-count"})
VOTE_CLASSES = frozenset(
    {"voting-summary", "voted-answers-tally", "vote-distribution-bar", "vote-bar"}
)
NOISE_CLASSES = frozenset(
    {
        "reveal-solution", "hide-solution", "question-discussion-button", "discussion-container",
        "discussion-list", "comments", "comment-container", "comments-section", "comment-list",
        "ad", "ads", "adsbygoogle", "advert", "advertisement", "ad-container", "ad-slot",
        "sponsored", "navbar", "breadcrumb", "breadcrumbs", "sidebar", "site-header",
        "site-footer", "cookie-banner", "cookie-consent", "social-share", "share-buttons",
        "popup", "modal", "disclaimer-box", "all-questions-link", "vote-answer-button",
        "discussion-meta-data", "timestamp", "comment-date", "post-date", "pagination",
    }
)  # fmt: skip
NOISE_IDS = frozenset({"comments", "disqus_thread", "discussion", "sidebar", "footer"})
DROPPED_TAGS = frozenset({"script", "style", "noscript", "template", "iframe", "nav", "aside"})
CHOICE_PREFIX_RE = re.compile(r"\(?([A-Za-z])\s*[.):]\s+(?=\S)")
ANSWER_PART_RE = re.compile(
    r"(?:explanation|rationale|references?|community vote|most voted)\b", re.I
)
MOST_VOTED_RE = re.compile(r"\s*\bMost Voted\s*$", re.I)


def ends_most_voted(text: str) -> bool:
    """Whether the text ends with a "Most Voted" badge (`MOST_VOTED_RE` finds it)."""
    return questions.ends_most_voted(text, MOST_VOTED_RE)


def without_most_voted(text: str) -> str:
    """The text without a "Most Voted" badge at its end."""
    return questions.without_most_voted(text, MOST_VOTED_RE)


# The page is searched with plain loops over `descendants` and these cheap checks, not with
# `find_all(class_=…)`: bs4 builds and runs a filter object per call, which cost more than the
# rest of the reading. Each check gives what the bs4 search it replaces would.
#
# Pages are parsed with `multi_valued_attributes=None`: a `class` stays the string written
# (splitting every tag's classes into a list was 6% of the parse), and the checks split it
# themselves. `str.split()` and bs4's `\S+` split at the same characters (both use Python's
# `isspace`), so the classes are the ones bs4 would list.


@lru_cache(maxsize=4096)
def _classes(value: str) -> tuple[frozenset[str], frozenset[str]]:
    """A `class` value's classes as written and lowercased. Cached: a page repeats a few class
    values on thousands of tags, and splitting each again was a tenth of the reading."""
    tokens = value.split()
    return frozenset(tokens), frozenset(token.lower() for token in tokens)


def _has_class(tag: Tag, names: frozenset[str]) -> bool:
    """Whether one of the tag's classes, lowercased, is in `names`."""
    value = tag.attrs.get("class")
    if not value or not isinstance(value, str):
        return False
    return not names.isdisjoint(_classes(value)[1])


def _has_token(tag: Tag, token: str) -> bool:
    """Whether `token` is one of the tag's classes as written (case counts), as bs4's
    `class_=token` matches."""
    value = tag.attrs.get("class")
    return isinstance(value, str) and token in _classes(value)[0]


def _tags_below(tag: Tag) -> list[Tag]:
    """Every tag inside `tag`, in document order (`tag.find_all(True)`)."""
    return [node for node in tag.descendants if isinstance(node, Tag)]


def _removed(tag: Tag) -> bool:
    """Whether the tag was decomposed. (`Tag.decomposed` falls back to a search of the whole
    subtree for a live tag, which makes a loop over a deep page quadratic.)"""
    return bool(tag.__dict__.get("_decomposed", False))


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    return value if isinstance(value, str) else ""


LETTER_RE = re.compile(r"\s*\(?([A-Za-z])\s*[.):]?\s*")


def _letter(text: str) -> str | None:
    match = LETTER_RE.fullmatch(text)
    return match.group(1).upper() if match else None


@dataclass(slots=True)
class _Group:
    """The lettered choice items of one question, all children of `container`."""

    container: Tag
    items: list[tuple[Tag, str]]
    marked: bool
    """The site's markup (a class or data attribute) says these are choices."""


@dataclass(slots=True)
class _Block:
    """A question block: an element (or run of siblings wrapped in one) and its choices."""

    element: Tag
    group: _Group
    line: int


def _own(item: Tag, found: Iterable[Tag]) -> Tag | None:
    """The first found element that belongs to `item` itself, not to a list nested in it."""
    for element in found:
        owner = next(
            (p for p in element.parents if p is item or p.name == "li" or p.name == "label"),
            None,
        )
        if owner is item:
            return element
    return None


def _item_letter(tag: Tag) -> tuple[str, bool] | None:
    """(letter, marked by the site's markup) when the element is a lettered choice."""
    choice_class = _has_class(tag, CHOICE_CLASSES)
    if tag.name not in ("li", "label") and not choice_class:
        return None
    if "data-choice-letter" in tag.attrs:
        carrier: Tag | None = tag
    else:
        carrier = _own(
            tag,
            (n for n in tag.descendants if isinstance(n, Tag) and "data-choice-letter" in n.attrs),
        )
    if carrier is not None:
        letter = _letter(_attr(carrier, "data-choice-letter"))
        if letter:
            return letter, True
    letter_tag = _own(
        tag,
        (n for n in tag.descendants if isinstance(n, Tag) and _has_token(n, "multi-choice-letter")),
    )
    if letter_tag is not None:
        letter = _letter(letter_tag.get_text())
        if letter:
            return letter, True
    match = CHOICE_PREFIX_RE.match(tag.get_text(" ", strip=True))
    if match is None:
        return None
    return match.group(1).upper(), choice_class


def _is_lettered_list(tag: Tag) -> bool:
    """`<ol type="A">` or a list styled `upper-alpha`: its items are lettered by position."""
    return tag.name == "ol" and (
        _attr(tag, "type") in ("A", "a") or "alpha" in _attr(tag, "style").lower()
    )


def _find_groups(tags: Sequence[Tag]) -> list[_Group]:
    """The lettered choice groups among the page's tags (`tags`, in document order; the
    removed ones are skipped)."""
    groups: dict[int, _Group] = {}
    positional: set[int] = set()
    for tag in tags:
        if _removed(tag):
            continue
        if _is_lettered_list(tag):
            items = [li for li in tag.contents if isinstance(li, Tag) and li.name == "li"]
            if len(items) >= 2:
                groups[id(tag)] = _Group(
                    tag, [(li, choice_letter(n)) for n, li in enumerate(items)], False
                )
                positional.update(id(li) for li in items)
            continue
        if id(tag) in positional:
            continue
        if tag.name not in ("li", "label") and not _has_class(tag, CHOICE_CLASSES):
            continue  # not a choice (`_item_letter` would say so), and cheaper to say so here
        found = _item_letter(tag)
        if found is None or tag.parent is None:
            continue
        group = groups.setdefault(id(tag.parent), _Group(tag.parent, [], False))
        group.items.append((tag, found[0]))
        group.marked = group.marked or found[1]
    valid: list[_Group] = []
    for group in groups.values():
        letters = [letter for _, letter in group.items]
        lettered_from_a = sorted(letters) == [choice_letter(n) for n in range(len(letters))]
        if (group.marked and letters) or (len(letters) >= 2 and lettered_from_a):
            valid.append(group)
    # A lettered list inside another question's choice is part of that choice.
    inner = {id(g.container) for g in valid}
    nested = {
        id(g.container) for g in valid if any(id(parent) in inner for parent in g.container.parents)
    }
    return [g for g in valid if id(g.container) not in nested]


def _clean_page(soup: BeautifulSoup) -> list[Tag]:
    """Remove what is never question content: scripts, navigation, ads, comments, buttons.
    Returns the page's tags in document order, the removed ones among them, from one walk."""
    # One walk sorts out what each step looks at (in document order); each step still checks
    # whether an earlier one removed its tag. No step changes what the walk tested: only a
    # tally, which has a class, gains an attribute.
    tags: list[Tag] = []
    comments: list[Comment] = []
    tallies: list[Tag] = []
    dropped: list[Tag] = []
    # Tags a noise class or id marks (True), and page headers and footers (False unless
    # marked too), which are noise unless they hold a question number.
    candidates: list[tuple[Tag, bool]] = []
    for node in soup.descendants:
        if isinstance(node, Tag):
            tags.append(node)
            name = node.name
            if name in DROPPED_TAGS:
                dropped.append(node)
            marked = False
            if attrs := node.attrs:
                classes = attrs.get("class")
                if isinstance(classes, str):
                    tokens, lowered = _classes(classes)
                    if "voted-answers-tally" in tokens:
                        tallies.append(node)
                    marked = not NOISE_CLASSES.isdisjoint(lowered)
                ident = attrs.get("id")
                marked = marked or (isinstance(ident, str) and ident.lower() in NOISE_IDS)
            if marked or name in ("header", "footer"):
                candidates.append((node, marked))
        elif isinstance(node, Comment) and node:  # bs4's search skips empty strings
            comments.append(node)
    for tally in tallies:
        script = next(
            (n for n in tally.descendants if isinstance(n, Tag) and n.name == "script"), None
        )
        if script is not None:
            tally["data-vote-tally"] = script.get_text()
    for comment in comments:
        comment.extract()
    for tag in dropped:
        if not _removed(tag):
            tag.decompose()
    for tag, noisy in candidates:
        if _removed(tag):
            continue
        if not noisy:  # a header or footer
            noisy = not PAGE_HEADER_NUMBER_RE.search(tag.get_text(" "))
        if noisy and not _holds_choices(tag):
            tag.decompose()
    return tags


def _holds_choices(tag: Tag) -> bool:
    return any(
        isinstance(n, Tag)
        and ("data-choice-letter" in n.attrs or _has_token(n, "multi-choice-item"))
        for n in tag.descendants
    )


def _is_header_node(node: PageElement) -> bool:
    if not isinstance(node, Tag):
        return False
    if _has_class(node, HEADER_CLASSES):
        return True
    text = node.get_text(" ", strip=True)
    match = QUESTION_LINE_RE.match(text)
    return match is not None and len(text) <= 200


def _is_answer_node(node: PageElement) -> bool:
    """Whether a sibling after a question's choices still belongs to it (answer, explanation,
    votes) rather than starting the next question."""
    text = node.get_text("\n", strip=True) if isinstance(node, Tag) else str(node).strip()
    first = plain_line(text.split("\n", 1)[0]) if text else ""
    return bool(
        answer_from_line(first) is not None
        or ANSWER_PART_RE.match(first)
        or VOTE_LINE_RE.fullmatch(first)
    )


def _blocks(soup: BeautifulSoup, groups: list[_Group]) -> list[_Block]:
    """Each group's question block: the outermost element around it with a question class,
    else its own wrapper, else (questions side by side in one parent) a run of siblings."""
    counts: dict[int, int] = {}
    for group in groups:
        for parent in group.container.parents:
            counts[id(parent)] = counts.get(id(parent), 0) + 1
    blocks: list[_Block | None] = []
    flat: dict[int, list[tuple[int, Tag, _Group]]] = {}
    for group in groups:
        top = group.container
        outer_block: Tag | None = None
        for parent in group.container.parents:
            if parent.name in ("body", "html", "[document]") or counts.get(id(parent), 0) > 1:
                break
            top = parent
            if _has_class(parent, BLOCK_CLASSES):
                outer_block = parent
        if outer_block is not None:
            element = outer_block
        elif top is not group.container and _text_before(top, group.container):
            element = top
        else:
            holder = top.parent
            if holder is None:
                continue
            flat.setdefault(id(holder), []).append((len(blocks), top, group))
            blocks.append(None)
            continue
        blocks.append(_Block(element, group, element.sourceline or 1))
    for members in flat.values():
        for slot, block in _flat_blocks(soup, members):
            blocks[slot] = block
    return [b for b in blocks if b is not None]


def _text_before(top: Tag, container: Tag) -> bool:
    """Whether `top` holds any text before `container` (a stem of its own)."""
    for node in top.descendants:
        if node is container:
            return False
        is_text = isinstance(node, NavigableString)
        if is_text and not isinstance(node, PreformattedString) and str(node).strip():
            return True
    return False


def _flat_blocks(
    soup: BeautifulSoup, members: list[tuple[int, Tag, _Group]]
) -> list[tuple[int, _Block]]:
    """Questions laid out as siblings (`<h3>Question 1</h3><p>…</p><ol>…</ol><p>Answer…`):
    each question runs from its header (or the end of the previous answer) to the next one."""
    parent = members[0][1].parent
    if parent is None:
        return []
    children = list(parent.contents)
    index = {id(child): n for n, child in enumerate(children)}
    tops = [index[id(top)] for _, top, _ in members]
    starts: list[int] = []
    for n, top_at in enumerate(tops):
        previous = tops[n - 1] + 1 if n else 0
        between = children[previous:top_at]
        headers = [k for k, node in enumerate(between) if _is_header_node(node)]
        if headers:
            starts.append(previous + headers[-1])
            continue
        answers = [k for k, node in enumerate(between) if _is_answer_node(node)]
        start = previous + (answers[-1] + 1 if answers else 0)
        if not n:
            # Before the first question: a page title or intro is not its stem.
            headings = [
                k
                for k, node in enumerate(children[start:top_at])
                if isinstance(node, Tag) and re.fullmatch(r"h[1-6]", node.name)
            ]
            if headings and start + headings[-1] + 1 < top_at:
                start += headings[-1] + 1
        starts.append(start)
    ends = [*starts[1:], len(children)]
    last_top = tops[-1]
    for k in range(last_top + 1, len(children)):
        node = children[k]
        if isinstance(node, Tag) and (re.fullmatch(r"h[1-6]", node.name) or _is_header_node(node)):
            ends[-1] = k
            break
    result: list[tuple[int, _Block]] = []
    for (slot, _, group), start, end in zip(members, starts, ends, strict=True):
        nodes = children[start:end]
        line = next(
            (node.sourceline for node in nodes if isinstance(node, Tag) and node.sourceline),
            1,
        )
        wrapper = soup.new_tag("div")
        nodes[0].insert_before(wrapper)
        for node in nodes:
            wrapper.append(node.extract())
        result.append((slot, _Block(wrapper, group, line)))
    return result


CHOICE_JUNK_CLASSES = BADGE_CLASSES | {"multi-choice-letter"}


def _choice_text(item: Tag, letter: str, below: list[Tag]) -> str:
    """The choice's text, without its letter and badges; `below` is the item's tags, as found
    before any step removed some."""
    # Left out of the text rather than removed from the tree: nothing reads the choices' tags
    # after their text, and `decompose` (which walks and clears each tag) cost 4 µs a card.
    junk = {
        id(tag)
        for tag in below
        if not _removed(tag)
        and ("data-choice-letter" in tag.attrs or _has_class(tag, CHOICE_JUNK_CLASSES))
    }
    text = html_to_markdown(item, junk)
    if text.startswith("- "):
        text = text[2:]
    prefix = CHOICE_PREFIX_RE.match(text)
    if prefix is not None and prefix.group(1).upper() == letter:
        text = text[prefix.end() :]
    return without_most_voted(text).strip()


@dataclass(slots=True)
class _Marked:
    """The tags of a block each step looks for, found in one walk before any is removed.
    (Steps only remove tags, so a later search would find these less the removed ones.)"""

    headers: list[Tag]
    answers: list[Tag]
    tallies: list[Tag]
    bars: list[Tag]
    votes: list[Tag]


MARKED_CLASSES = HEADER_CLASSES | VOTE_CLASSES | {"correct-answer", "vote-distribution-bar"}


def _marked_tags(element: Tag) -> _Marked:
    found = _Marked([], [], [], [], [])
    for node in element.descendants:
        if not isinstance(node, Tag):
            continue
        attrs = node.attrs
        if not attrs:
            continue
        if "data-vote-tally" in attrs:
            found.tallies.append(node)
        # `_has_class` and `_has_token` inlined: the classes looked up once for the five tests.
        value = attrs.get("class")
        if not value or not isinstance(value, str):
            continue
        tokens, lowered = _classes(value)
        if MARKED_CLASSES.isdisjoint(lowered):  # a cheap test that none below can pass
            continue
        if not HEADER_CLASSES.isdisjoint(lowered):
            found.headers.append(node)
        if "correct-answer" in tokens:
            found.answers.append(node)
        if "vote-distribution-bar" in tokens:
            found.bars.append(node)
        if not VOTE_CLASSES.isdisjoint(lowered):
            found.votes.append(node)
    return found


def _read_votes(marked: _Marked) -> tuple[list[tuple[str, int]], str | None]:
    shares: list[tuple[str, int]] = []
    most_voted = None
    for tally in marked.tallies:
        if _removed(tally):
            continue
        try:
            data: Any = json.loads(_attr(tally, "data-vote-tally"))
        except (ValueError, RecursionError):
            continue
        if isinstance(data, list):
            tallied, most = tally_votes(data)
            shares = shares or tallied
            most_voted = most_voted or most
    if not shares:
        for bar in marked.bars:
            if _removed(bar):
                continue
            shares = vote_shares_from_text(bar.get_text(" "))
            if shares:
                break
    for tag in marked.votes:
        if not _removed(tag):
            tag.decompose()
    return shares, most_voted


def _inside(tag: PageElement, ancestor: Tag) -> bool:
    return any(parent is ancestor for parent in tag.parents)


def _take_header(marked: _Marked, group: _Group) -> tuple[str | None, str | None]:
    """(number, topic) from the block's header element (`Question #12 Topic 1`), removed."""
    number: str | None = None
    topic: str | None = None
    for header in marked.headers:
        if _removed(header):
            continue
        if _inside(header, group.container) or _inside(group.container, header):
            continue
        text = header.get_text(" ", strip=True)
        found = HEADER_NUMBER_RE.search(text)
        number = number or (found.group(1) if found else None)
        found_topic = TOPIC_RE.search(text)
        topic = topic or (found_topic.group(1) if found_topic else None)
        header.decompose()
    return number, topic


def _take_revealed_answer(element: Tag, marked: _Marked, group: _Group) -> str:
    """The letters of a revealed answer element (`<span class="correct-answer">BD</span>`),
    which is removed with its box."""
    revealed = ""
    for tag in marked.answers:
        if _removed(tag) or _inside(tag, group.container) or _inside(group.container, tag):
            continue
        letters = tag.get_text(" ", strip=True)
        if not revealed and answer_letters(letters):
            revealed = letters
        box = next((p for p in tag.parents if _has_token(p, "correct-answer-box")), None)
        if box is not None and _inside(box, element) and not _inside(group.container, box):
            box.decompose()
        else:
            tag.decompose()
    return revealed


def _block_question(block: _Block) -> tuple[RawQuestion, str | None] | None:
    """The question a block holds, with its topic; None when nothing says it is a question."""
    element, group = block.element, block.group
    marked_tags = _marked_tags(element)
    number, topic = _take_header(marked_tags, group)
    revealed = _take_revealed_answer(element, marked_tags, group)
    if group.container.parent is None or any(_removed(item) for item, _ in group.items):
        raise _ChoicesRemoved  # they sat inside the header or the revealed answer
    marked: list[str] = []
    badges: list[str] = []
    item_tags: list[list[Tag]] = []  # each item's tags, for the badge test and its text
    for item, letter in group.items:
        flag = _attr(item, "data-correct").lower() or _attr(item, "data-is-correct").lower()
        if _has_class(item, CORRECT_CLASSES) or flag in ("true", "1", "yes"):
            marked.append(letter)
        below = _tags_below(item)
        item_tags.append(below)
        badge = any(_has_token(n, "most-voted-answer-badge") for n in below)
        if badge or ends_most_voted(item.get_text(" ", strip=True)):
            badges.append(letter)
    shares, most_voted = _read_votes(marked_tags)
    if group.container.parent is None or any(_removed(item) for item, _ in group.items):
        raise _ChoicesRemoved  # they sat inside the vote summary
    choices = tuple(
        (letter, _choice_text(item, letter, below))
        for (item, letter), below in zip(group.items, item_tags, strict=True)
    )
    group.container.replace_with(NavigableString(CHOICES_MARK))
    before, _, after = html_to_markdown(element).partition(CHOICES_MARK)

    # A "Question 12" line in the text (plain pages) ends whatever came before the stem.
    stem_lines = before.split("\n")
    for k in range(len(stem_lines) - 1, -1, -1):
        match = QUESTION_LINE_RE.fullmatch(plain_line(stem_lines[k]))
        if match is None:
            continue
        number = number or match.group("number")
        topic = topic or match.group("topic")
        rest = match.group("rest").strip()
        stem_lines = ([rest] if rest else []) + stem_lines[k + 1 :]
        break
    stem = drop_noise("\n".join(stem_lines))

    explanation_lines: list[str] = []
    answer_text = ""
    for line in after.split("\n"):
        letters = answer_from_line(line)
        if letters is not None:
            revealed = revealed or letters
            continue
        plain = plain_line(line)
        if plain and VOTE_LINE_RE.fullmatch(plain):
            shares = shares or vote_shares_from_text(plain)
            continue
        label = ANSWER_LABEL_RE.match(line)
        if label is not None and line[label.end() :].strip():
            # "Answer: Use Pipe mode …" names a choice in words, unless the page already
            # revealed the letters: then it is the site's label before the explanation.
            if revealed or answer_text:
                explanation_lines.append(line[label.end() :])
            else:
                answer_text = line[label.end() :].strip()
            continue
        explanation_lines.append(line)
    explanation = EXPLANATION_LABEL_RE.sub("", drop_noise("\n".join(explanation_lines)), count=1)
    if answer_text:
        named, rest = text_answer(answer_text, choices)
        revealed = revealed or named
        explanation = "\n\n".join(part for part in (rest, explanation) if part)
    voted = most_voted or "".join(badges) or top_voted(shares) or ""
    answer = revealed or "".join(marked) or voted
    if not group.marked and not (number or answer):
        return None  # a lettered list with nothing around it that says "question"
    raw = RawQuestion(
        stem=stem,
        choices=choices,
        answer=answer,
        line=block.line,
        explanation=with_votes(explanation, shares),
        number=number,
    )
    return raw, topic


class _ChoicesRemoved(Exception):
    """A block's choices went with its header or revealed answer: no question to read."""


@dataclass(frozen=True, slots=True)
class PageQuestions:
    """What one saved page holds."""

    questions: tuple[RawQuestion, ...]
    """The questions in page order."""
    unreadable: str | None = None
    """Why the page could not be parsed at all, when it could not."""
    broken: tuple[int, ...] = ()
    """Lines of question blocks whose choices sat inside their header, revealed answer or
    vote summary."""


@lru_cache(maxsize=8)
def read_page(text: str) -> PageQuestions:
    """Every question block of a saved page (cached: `claim` and `read` parse it once)."""
    text = text.replace(CHOICES_MARK, "")
    try:
        soup = BeautifulSoup(text, "html.parser", multi_valued_attributes=None)
    except ParserRejectedMarkup as error:
        return PageQuestions((), str(error) or "the HTML parser rejected the page")
    if (depth := _depth(soup)) > MAX_DEPTH:
        # Unclosed tags (`<li>` after `<li>`) nest each element in the one before; looking
        # for choices inside each of thousands of such elements is quadratic. No exam page
        # nests like that.
        return PageQuestions((), f"elements nest {depth} deep (more than {MAX_DEPTH})")
    tags = _clean_page(soup)
    blocks = _blocks(soup, _find_groups(tags))
    paths = _heading_paths(soup, blocks)
    found: list[tuple[RawQuestion, str | None] | None] = []
    broken: list[int] = []
    for block in blocks:
        try:
            found.append(_block_question(block))
        except _ChoicesRemoved:
            found.append(None)
            broken.append(block.line)
    questions = [
        (replace(f[0], context=path), f[1])
        for f, path in zip(found, paths, strict=True)
        if f is not None
    ]
    numbers = topic_numbers([q.number for q, _ in questions], [t for _, t in questions])
    return PageQuestions(
        tuple(replace(q, number=number) for (q, _), number in zip(questions, numbers, strict=True)),
        broken=tuple(broken),
    )


HEADING_LEVELS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
MAX_DEPTH = 256
"""Deepest element nesting a page may have to be searched for questions."""


def _depth(soup: BeautifulSoup) -> int:
    """How deep the page's elements nest, one level of the tree at a time (a comprehension
    per level costs a third of a walk with a stack of (tag, depth) pairs)."""
    depth = 0
    level: list[Tag] = [soup]
    while True:
        level = [c for node in level for c in node.contents if isinstance(c, Tag)]
        if not level:
            return depth
        depth += 1


def _heading_paths(soup: BeautifulSoup, blocks: Sequence[_Block]) -> list[tuple[str, ...]]:
    """The page headings above each block (`Domain 3: Modeling`), in one walk of the page;
    headings inside a block, and `Question 12` headings, are the question's own."""
    index = {id(block.element): n for n, block in enumerate(blocks)}
    paths: list[tuple[str, ...]] = [()] * len(blocks)
    stack: list[tuple[int, str]] = []
    pending: list[Tag] = [soup]
    while pending:
        node = pending.pop()
        if (n := index.get(id(node))) is not None:
            paths[n] = tuple(title for _, title in stack)
            continue
        if (level := HEADING_LEVELS.get(node.name or "")) is not None:
            title = " ".join(node.get_text(" ").split())
            if title and not PAGE_HEADER_NUMBER_RE.search(title):
                while stack and stack[-1][0] >= level:
                    stack.pop()
                stack.append((level, title))
            continue
        pending.extend(reversed([c for c in node.children if isinstance(c, Tag)]))
    return paths


def is_html_page(source: SourceFile) -> bool:
    """A saved web page: `.html`/`.htm`, or text that starts like an HTML document."""
    return (
        PurePosixPath(source.display_path).suffix.lower() in HTML_SUFFIXES
        or HTML_START_RE.match(source.text[:4096]) is not None
    )


class HtmlQuestionReader:
    """Reads question blocks from saved exam-practice web pages."""

    name = "html-questions"

    def claim(self, source: SourceFile) -> int:
        if not is_html_page(source) or "<" not in source.text:
            return 0
        page = read_page(source.text)
        return 5 * (len(page.questions) + len(page.broken))

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        path = source.display_path
        page = read_page(source.text)
        diagnostics: list[Diagnostic] = []
        if page.unreadable is not None:
            diagnostics.append(
                Diagnostic(
                    path,
                    0,
                    Severity.WARNING,
                    "unreadable-html",
                    f"the page could not be parsed ({page.unreadable}); no questions read",
                )
            )
        diagnostics += [
            Diagnostic(
                path,
                line,
                Severity.WARNING,
                "unreadable-question",
                "the choices of this question sit inside its header, its revealed answer or its "
                "vote summary; "
                "the question is skipped",
            )
            for line in page.broken
        ]
        cards, checked = question_cards(page.questions, QuestionSource(path, context.default_deck))
        return ReadResult(tuple(cards), (*diagnostics, *checked))
