"""Hypothesis strategies that write input files from the grammar of each format (FORMATS.md):
Obsidian cards, study notes, question dumps (checkbox, numbered, exam-site text and Markdown
exports, `<details>` answers), JSON banks and HTML pages. Every piece of syntax comes with its
near misses (an empty cloze, a `#card` with no back, an answer letter with no choice), and any
text may be replaced by arbitrary Unicode."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

Lines = list[str]

WORDS = [
    "Kinesis", "Firehose", "S3", "Athena", "SageMaker", "Pipe mode", "XGBoost", "shard",
    "F1", "precision", "recall", "dropout", "Which", "What", "service", "is", "the", "a",
    "cost-effective?", "(Choose two.)", "(Select THREE.)", "AWSÂ data", "ג€processedג€",
    "К-means", "naïve", "日本語", "🙂", "$5", "$10", "$$$", "\\(", "x²", "—", "…", "n/a",
    "TBD", "...", "Most Voted", "Answer", "Explanation", "Question", "Topic", "#tag",
    "#card", "::", ":::", "==", "{", "}", "[", "]", "<", ">", "&amp;", "|", "`", "*", "_",
    "^", "~", "\\", "\t", "\u00a0", "\u200b", "\ufeff", "\x1f", "\x0b", "\x1d",
    "arn:aws:s3:::bucket/*", "li::marker", "std::vector", "fe80::1",
]  # fmt: skip
INLINE = [
    "**bold**", "__bold__", "*em*", "`code`", "``a`b``", "$x^2$", "$\\frac{TP}{TP+FP}$",
    "$$E=mc^2$$", "==mark==", "== ==", "====", "{hidden}", "{ }", "{1:one}", "{0:zero}",
    "{{c1::anki}}", "{{c2::two::hint}}", "{{c0::zero}}", "{{c1:: }}", "{{c1::}}", "[[Page]]",
    "[[Page|alias]]", "[[#Part]]", "[[]]", "![[image.png]]", "![[image.png|300]]",
    "![alt](image.png)", "![](https://example.com/x.png)", "[link](https://example.com)",
    "<br>", "<mark style='x'>m</mark>", "<b>b</b>", "<script>alert(1)</script>", "<!-- c -->",
    "<!--ID: 1234567890123-->", "<!-- ankiID: 5 -->", "^1234567890123", "^q-ab12", "//IMG//",
    "<details><summary>Answer</summary>B</details>", "&nbsp;", "\\$", "~~gone~~",
]  # fmt: skip

any_text = st.text(max_size=12)
word = st.one_of(st.sampled_from(WORDS), st.sampled_from(INLINE), any_text)


@st.composite
def phrase(draw: st.DrawFn, min_words: int = 0, max_words: int = 8) -> str:
    """A run of words, markup and random text on one line."""
    words = draw(st.lists(word, min_size=min_words, max_size=max_words))
    separator = draw(st.sampled_from([" ", " ", " ", "", "  ", "\t"]))
    return separator.join(words).replace("\n", " ")


line = phrase()
nonempty_line = phrase(min_words=1)
letter = st.sampled_from("ABCDEFGH")
letters = st.lists(letter, min_size=0, max_size=4, unique=True).map("".join)
answer_value = st.one_of(
    letters,
    letters.map(", ".join),
    letters.map(" and ".join),
    letters.map("/".join),
    st.sampled_from(["A", "B", "BD", "Z", "1", "2", "", "B. Use Pipe mode", "None of these"]),
    line,
)
blank = st.sampled_from([[""], ["", ""], ["   "], []])


def joined(parts: list[Lines]) -> Lines:
    return [text for part in parts for text in part]


def lines_of(strategy: st.SearchStrategy[str], max_size: int = 3) -> st.SearchStrategy[Lines]:
    return st.lists(strategy, max_size=max_size)


# --- Obsidian ------------------------------------------------------------------------------

deck_name = st.one_of(
    st.sampled_from(
        ["Cloud::AWS", "A::::B", "::", "::Lead", "Trail::", " ", "''", "Deck\x1fX", "[a, b]"]
    ),
    line,
)
frontmatter = st.builds(
    lambda deck, tags, extra, closed: [
        "---",
        *([f"cards-deck: {deck}"] if deck is not None else []),
        *([tags] if tags else []),
        *extra,
        *(["---"] if closed else []),
    ],
    st.none() | deck_name,
    st.sampled_from(
        ["", "tags: [aws, mls-c01]", "tags: aws, ml", "tags:", "tags: [[x]]", "tags: {a: 1}"]
    )
    | line.map(lambda t: f"tags: {t}"),
    lines_of(
        st.sampled_from(
            [
                "flashcards:",
                "  q-ab12: 1234567890123",
                "  What is Pipe mode?: 42",
                "key: [unclosed",
                "  - nested",
                "a: &x 1",
                "b: *x",
                "c: !!python/object:os.system x",
                ": :",
                "\t- tab",
                "deep: " + "[" * 400,
            ]
        )
        | line,
        4,
    ),
    st.booleans(),
)
card_tag = st.sampled_from(
    ["#card", "#card ", "#card-reverse", "#card/reverse", "#card-spaced", "#card-reminder",
     "#card #aws", "#cards", "#card\t"]
)  # fmt: skip
heading_marks = st.integers(1, 7).map(lambda n: "#" * n)


@st.composite
def heading(draw: st.DrawFn, tagged: bool = False) -> str:
    marks = draw(heading_marks)
    suffix = f" {draw(card_tag)}" if tagged or draw(st.booleans()) else ""
    return f"{marks} {draw(line)}{suffix}".rstrip(" ") if draw(st.booleans()) else marks + suffix


option_line = st.builds(
    lambda mark, box, text: f"{mark} {box}{text}",
    st.sampled_from(["-", "*", "+", "1.", "2)", "A.", "b)", "  -", "\t-"]),
    st.sampled_from(["", "", "[ ] ", "[x] ", "[X] "]),
    line,
)
heading_card = st.builds(
    lambda h, back: [h, *back], heading(tagged=True), lines_of(line | option_line, 4)
)
line_card = st.builds(
    lambda front, tag, back, end: [f"{front} {tag}", *back, *end],
    line,
    card_tag,
    lines_of(line, 3),
    blank,
)
own_line_card = st.builds(
    lambda h, front, options, tag, back: [*h, *front, *options, tag, *back],
    st.lists(heading(), max_size=1),
    lines_of(nonempty_line, 2),
    lines_of(option_line, 5),
    card_tag,
    lines_of(st.one_of(line, letters, answer_value, st.sampled_from(["B", "Answer: A and C"]))),
)
inline_card = st.builds(
    lambda front, separator, back: f"{front}{separator}{back}",
    line,
    st.sampled_from(["::", ":::", " :: ", "::::", ": :", "::\t"]),
    line,
).map(lambda text: [text])
cloze_paragraph = lines_of(
    st.builds(
        lambda a, mark, b: f"{a} {mark} {b}",
        line,
        st.sampled_from(INLINE[8:20]) | st.builds(lambda t: f"=={t}==", line),
        line,
    ),
    3,
)
fenced = st.builds(
    lambda fence, lang, body, closed: [fence + lang, *body, *([fence] if closed else [])],
    st.sampled_from(["```", "~~~", "````", "$$", "   ```"]),
    st.sampled_from(["", "python", "md", "nonsense-language", " x y"]),
    lines_of(line | heading() | inline_card.map(lambda x: x[0]), 3),
    st.booleans(),
)
identity_line = st.builds(
    lambda text, marker: f"{text} {marker}",
    line,
    st.sampled_from(
        ["^1234567890123", "^q-ab12", "<!--ID: 99-->", "^-", "^", "<!-- ankiID: x -->"]
    ),
).map(lambda text: [text])

# --- study notes ---------------------------------------------------------------------------

bullet = st.sampled_from(["-", "*", "+", "•", "◦", "‣", "1.", "2)", "10."])
indent = st.sampled_from(["", "", "  ", "    ", "\t", "\t\t", " \t", "        "])
list_item = st.builds(
    lambda ind, b, body: f"{ind}{b} {body}",
    indent,
    bullet,
    st.one_of(
        line,
        st.builds(lambda t, d: f"**{t}**: {d}", line, line),
        st.builds(lambda t, d: f"{t}: {d}", line, line),
        st.builds(lambda t, d: f"**{t}** – {d}", line, line),
        st.builds(lambda t: f"**{t}**", line),
        st.builds(lambda t: f"[{t}](#anchor)", line),
        st.just(""),
    ),
)
study_list = lines_of(list_item, 14)
table = st.builds(
    lambda header, rows, sep: [header, sep, *rows],
    st.sampled_from(["| Metric | Formula |", "|a|", "| | |", "Metric | Formula"]) | line,
    lines_of(
        st.lists(line, min_size=0, max_size=3).map(lambda cells: "| " + " | ".join(cells) + " |"),
        4,
    ),
    st.sampled_from(["|---|---|", "|-|", "---|---", "| :-- | --: |", ""]),
)
text_heading = st.builds(
    lambda label, title: f"{label}{title}",
    st.sampled_from(["1.1 ", "2. ", "Domain 2: ", "Domain 1 - ", "3.2.1 ", "Section 4 ", ""]),
    line,
).map(lambda text: [text])
html_line = st.sampled_from(
    ["<details>", "</details>", "<summary>Answer</summary>", "<br>", "<div>", "</div>",
     "<table><tr><td>x</td></tr></table>", "<img src=\"image.png\">", "<p>", "</p>"]
).map(lambda text: [text])  # fmt: skip

# --- question dumps ------------------------------------------------------------------------

explanation = st.builds(
    lambda label, text: [f"{label}{text}"],
    st.sampled_from(["Explanation: ", "**Explanation:** ", "Why: ", "Rationale: ", ""]),
    line,
)
checkbox_question = st.builds(
    lambda h, stem, boxes, after: [h, *stem, *boxes, *after],
    st.builds(lambda m, t: f"{m} {t}", heading_marks, line | st.sampled_from(["Q1", "12."])),
    lines_of(line, 2),
    lines_of(
        st.builds(
            lambda b, mark, text: f"{b} [{mark}] {text}",
            st.sampled_from(["-", "*", "1.", "  -"]),
            st.sampled_from(" xX"),
            line,
        ),
        6,
    ),
    st.lists(explanation | blank, max_size=2).map(joined),
)
lettered_option = st.builds(
    lambda ind, bullet, fmt, lt, text: f"{ind}{bullet}{fmt.format(l=lt, t=text)}",
    st.sampled_from(["", "    ", "  ", "\t"]),
    st.sampled_from(["", "- ", "* ", "• "]),
    st.sampled_from(
        [
            "{l}. {t}",
            "{l}) {t}",
            "({l}) {t}",
            "**{l}.** {t}",
            "**{l}. {t}**",
            "{l}. **{t}**",
            "{l}: {t}",
            "**{l}:** {t}",
            "{l}.",
            "{l}. {t} Most Voted",
            "{l}){t}",
        ]
    ),
    letter | letter.map(str.lower),
    line,
)
numbered_option = st.builds(
    lambda n, text: f"    {n}. {text}", st.integers(1, 12), line | line.map(lambda t: f"**{t}**")
)
details_answer = st.builds(
    lambda summary, value, expl, closed: [
        "<details><summary>" + summary + "</summary>",
        f"Correct Answer: {value}",
        *expl,
        *(["</details>"] if closed else []),
    ],
    st.sampled_from(["Answer", "Show answer", "Solution", "Hint", ""]),
    answer_value,
    explanation | blank,
    st.booleans(),
)
answer_line = st.builds(
    lambda label, value: [f"{label}{value}"],
    st.sampled_from(
        [
            "Answer: ",
            "Correct answer: ",
            "✅ Answer: ",
            "**Answer:** ",
            "Ans: ",
            "Answer:",
            "The correct answer is: ",
            "Suggested Answer: ",
        ]
    ),
    answer_value,
)
numbered_question = st.builds(
    lambda start, stem, options, answer, after: [start, *stem, *options, *answer, *after],
    st.builds(
        lambda fmt, n, text: fmt.format(n=n, t=text),
        st.sampled_from(
            [
                "{n}. {t}",
                "{n}) {t}",
                "Q{n}. {t}",
                "Q{n}: {t}",
                "Q{n}",
                "**{n}.** {t}",
                "**{n}. {t}**",
                "### {n}. {t}",
                "{n}.",
                "**Q{n}:** {t}",
            ]
        ),
        st.integers(0, 10000),
        line,
    ),
    lines_of(line, 2),
    lines_of(lettered_option | numbered_option | list_item, 6),
    st.one_of(answer_line, details_answer, blank),
    st.lists(explanation | blank, max_size=2).map(joined),
)
exam_text_question = st.builds(
    lambda header, stem, options, answer, votes, comments: [
        header,
        *stem,
        *options,
        *answer,
        *votes,
        *comments,
    ],
    st.builds(
        lambda fmt, n, t: fmt.format(n=n, t=t),
        st.sampled_from(
            [
                "Question #{n} Topic {t}",
                "QUESTION {n}",
                "NEW QUESTION {n} - (Topic {t})",
                "Question {n}: stem",
                "**Question {n}**",
                "Question #{n}",
                "Question {n} of 65",
            ]
        ),
        st.integers(0, 99999),
        st.integers(0, 9),
    ),
    lines_of(line, 3),
    lines_of(lettered_option, 6),
    st.lists(
        st.builds(
            lambda label, value: f"{label}{value}",
            st.sampled_from(
                [
                    "Correct Answer: ",
                    "Answer: ",
                    "Suggested Answer: ",
                    "Reveal Solution Answer: ",
                    "**Correct Answer:** ",
                    "Answer(s): ",
                ]
            ),
            answer_value,
        ),
        max_size=2,
    ),
    st.sampled_from(
        [
            [],
            ["Community vote distribution", "C (71%) B (29%)"],
            ["Community vote distribution"],
            ["Community vote distribution", "Other"],
            ["B (100%)"],
            ["A (0%) B (999%)"],
        ]
    ),
    lines_of(
        st.sampled_from(
            [
                "Comments",
                "user123 2 years, 3 months ago",
                "Selected Answer: B",
                "upvoted 3 times",
                "Highly Voted",
                "Page 2 of 9",
                "Actual exam question from Amazon's AWS exam",
                "Reveal Solution",
                "Hide Solution",
                "Discussion 12",
                "[All Questions]",
            ]
        )
        | line,
        3,
    ),
)
exam_markdown_question = st.builds(
    lambda title, stem, options, answer, tail: [title, *stem, *options, *answer, *tail],
    st.builds(
        lambda level, t, n: f"{level} Exam AWS Certified topic {t} question {n} discussion",
        heading_marks,
        st.integers(0, 9),
        st.integers(0, 9999),
    ),
    lines_of(line, 3),
    lines_of(lettered_option, 6),
    st.lists(
        st.builds(
            lambda fmt, value: fmt.format(value),
            st.sampled_from(
                ["**Answer: {}**", "**Answer:** {}", "Answer: {}", "**Answer: Correct: {}**"]
            ),
            answer_value,
        ),
        max_size=2,
    ),
    lines_of(
        st.sampled_from(
            [
                "**Timestamp: 2024-10-30 22:46:00**",
                "[View on ExamTopics](https://example.com/q)",
                "----------------------------------------",
                "Timestamp:",
                "[View on]()",
            ]
        ),
        3,
    ),
)

# --- documents -----------------------------------------------------------------------------

obsidian_block = st.one_of(
    heading_card, line_card, own_line_card, inline_card, cloze_paragraph, fenced, identity_line,
    heading().map(lambda h: [h]), lines_of(line), blank, study_list,
)  # fmt: skip
study_block = st.one_of(
    heading().map(lambda h: [h]), study_list, table, text_heading, lines_of(line), blank,
    fenced, html_line, inline_card,
)  # fmt: skip
dump_block = st.one_of(
    checkbox_question, numbered_question, exam_text_question, exam_markdown_question,
    heading().map(lambda h: [h]), blank, lines_of(line), explanation, details_answer,
)  # fmt: skip

line_ending = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r"])
encoding = st.sampled_from(["utf-8", "utf-8", "utf-8", "utf-8-sig", "cp1252", "latin-1"])


@st.composite
def document_bytes(
    draw: st.DrawFn, block: st.SearchStrategy[Lines], with_frontmatter: bool = False
) -> bytes:
    """Blocks of one grammar, joined and encoded the ways real files are."""
    lines: Lines = []
    if with_frontmatter and draw(st.booleans()):
        lines += draw(frontmatter)
    for part in draw(st.lists(block, max_size=10)):
        lines += part
    newline = draw(line_ending)
    text = newline.join(lines) + draw(st.sampled_from(["", newline]))
    data = text.encode(draw(encoding), errors="replace")
    return data


markdown_suffix = st.sampled_from(["md", "md", "markdown", "txt"])


@st.composite
def named(
    draw: st.DrawFn, data: st.SearchStrategy[bytes], suffix: st.SearchStrategy[str]
) -> tuple[str, bytes]:
    """(file name, bytes)."""
    return f"note.{draw(suffix)}", draw(data)


obsidian_files = named(document_bytes(obsidian_block, with_frontmatter=True), markdown_suffix)
study_files = named(
    document_bytes(study_block, with_frontmatter=True), st.sampled_from(["md", "txt", "txt"])
)
dump_files = named(
    document_bytes(dump_block, with_frontmatter=True), st.sampled_from(["md", "txt", "txt"])
)

# --- JSON ----------------------------------------------------------------------------------

json_text = st.one_of(
    line,
    st.sampled_from(
        [
            "<p>Which service?</p>",
            "A. <b>Athena</b>",
            "<br>",
            "<img src='x.png'>",
            "\u0000",
            "",
            " ",
            "Most Voted",
            "<script>x</script>",
            "&lt;p&gt;",
        ]
    ),
)
json_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), json_text
)


def json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    keys = st.sampled_from(["a", "question", "choices", "answer", "A"]) | any_text
    return st.lists(children, max_size=3) | st.dictionaries(keys, children, max_size=3)


json_any = st.recursive(json_scalar, json_containers, max_leaves=8)
choice_key = st.sampled_from(
    ["A", "B", "C", "D", "a", "(B)", "C.", "option_a", "choice B", "1", "", "AA"]
)
choices_value = st.one_of(
    st.dictionaries(choice_key, json_text | json_any, max_size=6),
    st.lists(json_text.map(lambda t: t) | letter.map(lambda lt: f"{lt}. text"), max_size=6),
    st.lists(
        st.fixed_dictionaries(
            {},
            optional={
                "letter": letter | st.sampled_from(["", "(a)", "1"]),
                "text": json_text,
                "is_correct": st.sampled_from([True, False, "true", "yes", 1, None]),
                "label": json_text,
                "value": json_scalar,
            },
        ),
        max_size=6,
    ),
    json_any,
)
question_object = st.fixed_dictionaries(
    {},
    optional={
        "question": json_text,
        "question_text": json_text,
        "stem": json_text,
        "text": json_text,
        "choices": choices_value,
        "options": choices_value,
        "answers": choices_value | st.lists(letter),
        "answer": answer_value | st.lists(letter) | json_scalar,
        "correct_answer": answer_value,
        "answer_letters": letters,
        "explanation": json_text,
        "question_number": st.integers() | json_text,
        "id": json_scalar,
        "topic": json_scalar,
        "domain": json_text,
        "answers_community": st.lists(st.sampled_from(["B (90%)", "A (10%)", "x", "C (200%)"])),
        "votes": json_any,
        "most_voted": letters,
        "discussion": json_any,
        "question_images": st.lists(json_text, max_size=2),
    },
)
json_document = st.one_of(
    st.lists(question_object, max_size=5),
    st.lists(question_object, max_size=5).map(lambda qs: {"questions": qs}),
    st.lists(question_object, max_size=5).map(lambda qs: {"pageProps": {"data": {"items": qs}}}),
    question_object,
    json_any,
)


@st.composite
def json_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A JSON bank (or JSON Lines), sometimes cut short or glued to garbage."""
    value: Any = draw(json_document)
    lines_format = draw(st.booleans())
    ascii_only = draw(st.booleans())
    if lines_format:
        items = value if isinstance(value, list) else [value]
        text = "\n".join(json.dumps(item, ensure_ascii=ascii_only) for item in items)
    else:
        text = json.dumps(value, ensure_ascii=ascii_only, indent=draw(st.sampled_from([None, 2])))
    damage = draw(st.sampled_from(["", "", "", "cut", "prefix", "suffix"]))
    if damage == "cut" and text:
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "prefix":
        text = draw(line) + text
    elif damage == "suffix":
        text += draw(line)
    suffix = draw(st.sampled_from(["json", "jsonl", "ndjson", "json"]))
    return f"bank.{suffix}", text.encode("utf-8")


# --- HTML ----------------------------------------------------------------------------------

CLASSES = [
    "card", "exam-question-card", "question-card", "question-body", "question", "card-header",
    "question-header", "question-number", "question-choices-container", "multi-choice-item",
    "multi-choice-letter", "correct-hidden", "correct", "correct-answer", "correct-answer-box",
    "question-answer", "most-voted-answer-badge", "badge", "voting-summary",
    "voted-answers-tally", "vote-distribution-bar", "vote-bar", "reveal-solution", "navbar",
    "comments", "ad", "timestamp", "card-text", "answer-description",
]  # fmt: skip
TAGS = [
    "div", "div", "p", "span", "ul", "ol", "li", "li", "label", "h1", "h2", "h3", "h4",
    "table", "tr", "td", "details", "summary", "b", "strong", "pre", "code", "header",
    "footer", "nav", "script", "style", "section", "article", "br", "img", "a",
]  # fmt: skip
html_text = st.one_of(
    line,
    st.sampled_from(
        [
            "Question #12 Topic 1",
            "Question 3",
            "A.",
            "B.",
            "C. Athena",
            "D) EMR",
            "(E) x",
            "Correct Answer: B",
            "Answer: BD",
            "Answer: Use Pipe mode",
            "Most Voted",
            "Community vote distribution",
            "B (88%) A (12%)",
            "Explanation: because",
            "Reveal Solution",
            "&nbsp;",
            "&lt;",
            "<!-- comment -->",
            "<![CDATA[x]]>",
            "<!DOCTYPE html>",
            "</li>",
            "<li",
            "\x00",
        ]
    ),
)
attribute = st.one_of(
    st.lists(st.sampled_from(CLASSES), min_size=1, max_size=3).map(
        lambda cs: f'class="{" ".join(cs)}"'
    ),
    letter.map(lambda lt: f'data-choice-letter="{lt}"'),
    st.sampled_from(
        [
            'data-correct="true"',
            'data-is-correct="1"',
            'type="A"',
            'type="a"',
            'style="list-style-type: upper-alpha"',
            'id="comments"',
            'id="footer"',
            "class",
            'data-choice-letter=""',
            "data-choice-letter",
            'data-vote-tally=\'[{"voted_answers": "B", "vote_count": 3}]\'',
            "data-vote-tally='[{'",
            'src="image.png"',
            'href="javascript:x"',
            'class=""',
        ]
    ),
)


def _element(tag: str, attributes: list[str], children: list[str], closed: bool) -> str:
    opening = "<" + " ".join([tag, *attributes]) + ">"
    return opening + "".join(children) + (f"</{tag}>" if closed else "")


def html_elements(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.builds(
        _element,
        st.sampled_from(TAGS),
        st.lists(attribute, max_size=2),
        st.lists(children, max_size=4),
        st.booleans() | st.just(True),
    )


html_node = st.recursive(html_text, html_elements, max_leaves=24)
choice_item = st.builds(
    lambda lt, classes, text: (
        f'<li class="multi-choice-item {classes}"><span class="multi-choice-letter"'
        f' data-choice-letter="{lt}">{lt}.</span> {text}</li>'
    ),
    letter,
    st.sampled_from(["", "", "correct-hidden", "correct"]),
    html_text,
)
exam_card = st.builds(
    lambda header, stem, items, answer, votes: (
        '<div class="card exam-question-card">'
        f'<div class="card-header">{header}</div><div class="card-body question-body">'
        f'<p class="card-text">{stem}</p><div class="question-choices-container"><ul>'
        + "".join(items)
        + f'</ul></div><p class="question-answer">Correct Answer: <span class="correct-answer">'
        f"{answer}</span></p>{votes}</div></div>"
    ),
    html_text,
    html_text,
    st.lists(choice_item, max_size=6),
    answer_value,
    st.sampled_from(["", '<div class="voting-summary">B (70%) C (30%)</div>']) | html_node,
)
plain_question = st.builds(
    lambda h, stem, items, ol, answer: (
        f"<h3>{h}</h3><p>{stem}</p><{ol}>"
        + "".join(f"<li>{i}</li>" for i in items)
        + f"</ol><p>{answer}</p>"
    ),
    html_text,
    html_text,
    st.lists(html_text, max_size=5),
    st.sampled_from(['ol type="A"', "ol", 'ol style="list-style: lower-alpha"']),
    st.builds(
        lambda label, value: f"{label}{value}",
        st.sampled_from(["Answer: ", "Correct Answer: ", ""]),
        answer_value,
    ),
)


@st.composite
def html_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """A saved page: exam-site question cards, plain question lists and random markup."""
    parts = draw(st.lists(exam_card | plain_question | html_node, max_size=6))
    head = draw(
        st.sampled_from(
            [
                "<!DOCTYPE html><html><head><title>t</title></head><body>",
                "<html><body>",
                "",
                "<!-- saved -->\n<!doctype html>",
            ]
        )
    )
    body = "\n".join(parts)
    tail = draw(st.sampled_from(["</body></html>", "", "</div></div>"]))
    suffix = draw(st.sampled_from(["html", "htm", "html", "md", "txt"]))
    return f"page.{suffix}", (head + body + tail).encode("utf-8", errors="replace")


# --- pathological lines --------------------------------------------------------------------

REPEATED = [
    "*", "_", "a", " ", "\t", "$", "`", "=", "==", ":", "::", "{", "}", "{{c1::", "[", "](",
    "<", "<li>", "<div>", "- ", "  - ", "1. ", "A. ", "#", "# ", "|", "\\", "(", ")", "!",
    "**A:** ", "Question 1 ", "answer ", "Most Voted ", "<!--", "-->", "~", "^", "0", "é",
    "[[a", "![[a", "<li>Term ", "<ul><li>", "a::b ", "$a$ ", "> ",
]  # fmt: skip


@st.composite
def pathological_files(draw: st.DrawFn) -> tuple[str, bytes]:
    """Long runs of one piece of syntax, on one line or on many: what makes a regex backtrack
    or a loop go quadratic."""
    piece = draw(st.sampled_from(REPEATED))
    count = draw(st.integers(1, 20000))
    tail = draw(st.sampled_from(["", "!", "x", "\n", "$", "`", "?", ")", "}}", "]]"]))
    head = draw(
        st.sampled_from(
            [
                "",
                "# Title\n",
                "### Which one?\n",
                "1. Stem\n",
                "Question #1\n",
                "<html><body>",
                "x::",
            ]
        )
    )
    if draw(st.booleans()):
        text = head + piece * count + tail
    else:
        text = head + "\n".join([piece] * min(count, 5000)) + tail
    suffix = draw(st.sampled_from(["md", "txt", "html", "json"]))
    return f"long.{suffix}", text.encode("utf-8")


random_files = st.builds(
    lambda suffix, data: (f"random.{suffix}", data),
    st.sampled_from(["md", "txt", "html", "json", "jsonl", "markdown", "htm"]),
    st.one_of(st.text().map(str.encode), st.binary()),
)
