"""Saved web articles become a note tree: the article only, Markdown text, original lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from builder.discover import decode
from builder.readers.note_tree import Block, ListItem, NoteTree, Section
from builder.readers.tree_html import html_tree
from tests.helpers import headings, source

FIXTURES = Path(__file__).parent / "fixtures" / "notes" / "html"


def tree(text: str) -> NoteTree:
    return html_tree(source(text, "page.html"), "Deck")


def blocks(text: str) -> tuple[Block, ...]:
    root = tree(text).root
    assert not root.children
    return root.blocks


def all_text(section: Section) -> str:
    """Every title and block of the tree, for checking what was left out."""
    parts = [section.title, *(block.markdown for block in section.blocks)]
    parts.extend(all_text(child) for child in section.children)
    return "\n".join(parts)


# --- Sections ---------------------------------------------------------------------------------


def test_headings_nest_by_level_with_their_lines() -> None:
    page = (
        "<html><head><title>Kinesis | My Site</title></head><body>\n"
        "<p>Before any heading.</p>\n"
        "<h1>Data Engineering</h1>\n"
        "<h3>Skipped a level</h3>\n"
        "<p>Body of h3.</p>\n"
        "<h2>Kinesis</h2>\n"
        "<h1>Modeling</h1>\n"
        "</body></html>\n"
    )
    notes = tree(page)
    assert notes.deck == "Deck"
    root = notes.root
    assert (root.title, root.level, root.line) == ("", 0, 1)
    assert root.blocks == (Block("paragraph", "Before any heading.", 2),)
    assert headings(root) == [
        (1, "Data Engineering", 3),
        (3, "Skipped a level", 4),
        (2, "Kinesis", 6),
        (1, "Modeling", 7),
    ]
    assert root.children[0].children[0].blocks == (Block("paragraph", "Body of h3.", 5),)


def test_heading_text_is_inline_markdown_without_links_or_permalinks() -> None:
    page = (
        '<h2><a href="#pipe">Pipe</a> mode <code>S3</code> <a class="headerlink" href="#p">¶</a>'
        "</h2>\n<h2>Fast *file* mode<br>again</h2>\n<h2> <a href='#x'></a> </h2>\n"
        '<h2><a class="anchor" href="#kinesis">Kinesis</a></h2>\n'
    )
    assert headings(tree(page).root) == [
        (2, "Pipe mode `S3`", 1),
        (2, "Fast \\*file\\* mode again", 2),
        (2, "Kinesis", 4),
    ]


# --- What is read -----------------------------------------------------------------------------


def test_only_the_article_is_read_and_site_furniture_is_dropped() -> None:
    page = (
        '<body class="has-sidebar">\n'
        '<header class="site-header"><h1>Site name</h1></header>\n'
        '<nav><a href="/">Home</a></nav>\n'
        '<div class="cookie-banner">We use cookies</div>\n'
        "<main>\n"
        "<article>\n"
        '<header><h1>Article title</h1><p class="byline">By someone</p></header>\n'
        "<p>Kept paragraph.</p>\n"
        '<div class="share-buttons">Share this</div>\n'
        '<div id="comments"><p>Nice post</p></div>\n'
        '<div class="advert">Buy now</div>\n'
        '<div class="ad-slot">Ad</div>\n'
        "<form><input name=q><p>Subscribe</p></form>\n"
        "<script>var x = 1;</script><style>p {}</style><noscript>No JS</noscript>\n"
        "<iframe src='x'></iframe><button>Click</button>\n"
        '<p hidden>Hidden</p><p style="display: none">Invisible</p>\n'
        "<footer>Article footer</footer>\n"
        "</article>\n"
        '<aside><p>Related</p></aside><div class="sidebar">Popular</div>\n'
        "</main>\n"
        "<footer>Site footer</footer>\n"
        "</body>\n"
    )
    root = tree(page).root
    assert headings(root) == [(1, "Article title", 7)]
    assert root.children[0].blocks == (Block("paragraph", "Kept paragraph.", 8),)


def test_main_is_read_when_there_is_no_article_and_a_wrapper_named_like_noise_is_kept() -> None:
    page = (
        "<body><div class='menu'>Home About</div>\n"
        "<main><div class='content with-sidebar'><p>Kept.</p></div>"
        "<div class='post-sidebar-wrapper'><p>The whole story, long enough to be most of the"
        " text on the page.</p></div></main>\n"
        "</body>"
    )
    assert [b.markdown for b in blocks(page)] == [
        "Kept.",
        "The whole story, long enough to be most of the text on the page.",
    ]


def test_without_article_or_main_the_header_is_the_sites() -> None:
    page = (
        "<body><header><h1>Site name</h1><p>Tagline</p></header>\n"
        "<div class='breadcrumbs'>Home › Notes</div>\n"
        "<h1>Kinesis</h1><p>Streams.</p></body>"
    )
    root = tree(page).root
    assert headings(root) == [(1, "Kinesis", 3)]
    assert root.children[0].blocks == (Block("paragraph", "Streams.", 3),)


def test_a_small_article_inside_a_large_page_is_not_the_focus() -> None:
    page = (
        "<body><article><p>Teaser</p></article>\n"
        "<div><p>" + "Long body text. " * 20 + "</p></div></body>"
    )
    assert [b.markdown[:9] for b in blocks(page)] == ["Teaser", "Long body"]


def test_the_largest_article_is_read() -> None:
    page = (
        "<body><article><p>Small card</p></article>\n"
        "<article><p>The real article, much longer than the card.</p></article></body>"
    )
    assert blocks(page) == (Block("paragraph", "The real article, much longer than the card.", 2),)


def test_code_highlighting_classes_are_not_noise() -> None:
    page = '<pre><code><span class="hljs-comment"># train</span>\nfit()</code></pre>'
    assert blocks(page) == (Block("code", "```\n# train\nfit()\n```", 1),)


# --- Inline markup ----------------------------------------------------------------------------


def test_inline_markup_becomes_markdown() -> None:
    page = (
        "<p>A <b>bold</b>, <strong> strong </strong>, <i>italic</i>, <em>em</em>, "
        '<code>a_b</code>, <a href="https://aws.amazon.com/kinesis/">Kinesis</a>, '
        '<a href="https://x.example/a b">spaced</a>, <a href="javascript:void(0)">js</a>, '
        "<del>old</del>, x<sup>2</sup>, H<sub>2</sub>O.</p>"
    )
    assert blocks(page) == (
        Block(
            "paragraph",
            "A **bold**, **strong** , *italic*, *em*, `a_b`, "
            "[Kinesis](https://aws.amazon.com/kinesis/), [spaced](<https://x.example/a b>), js, "
            "~~old~~, x<sup>2</sup>, H<sub>2</sub>O.",
            1,
        ),
    )


def test_line_breaks_split_lines_and_double_breaks_split_paragraphs() -> None:
    page = "<p>one<br>two<br/>\nthree<br><br>four</p>"
    assert blocks(page) == (
        Block("paragraph", "one\\\ntwo\\\nthree", 1),
        Block("paragraph", "four", 1),
    )


def test_text_that_looks_like_markup_is_escaped() -> None:
    page = (
        "<p>2 * 3 * 4, _private, snake_case, `tick`, a == b, [0, 1], [x](y), [[Page]], "
        "&lt;b&gt; &amp;copy; C:\\temp</p>\n<p>1. not a list</p>\n<p># not a heading</p>"
        "<p>- not a bullet</p>"
    )
    assert [b.markdown for b in blocks(page)] == [
        "2 \\* 3 \\* 4, \\_private, snake_case, \\`tick\\`, a \\=\\= b, [0, 1], [x\\](y), "
        "\\[\\[Page]], &lt;b> &amp;copy; C:\\\\temp",
        "1\\. not a list",
        "\\# not a heading",
        "\\- not a bullet",
    ]


# --- Blocks -----------------------------------------------------------------------------------


def test_nested_lists_with_items_children_and_lines() -> None:
    page = (
        "<ul>\n"
        "  <li><strong>Shard</strong>: 1 MB/s in\n"
        "    <ul><li>2 MB/s out</li>\n"
        "      <li>nested\n"
        '        <ol start="3"><li>deep</li></ol></li></ul>\n'
        "  </li>\n"
        "  <li><p>Retention: 24 hours</p><p>Up to 365 days.</p></li>\n"
        "  <li></li>\n"
        "</ul>\n"
    )
    (listed,) = blocks(page)
    deep = Block("list", "3. deep", 5, (ListItem("deep", 5),), ordered=True)
    nested = Block(
        "list",
        "- 2 MB/s out\n- nested\n    3. deep",
        3,
        (ListItem("2 MB/s out", 3), ListItem("nested", 4, (deep,))),
    )
    assert listed == Block(
        "list",
        "- **Shard**: 1 MB/s in\n"
        "    - 2 MB/s out\n"
        "    - nested\n"
        "        3. deep\n"
        "- Retention: 24 hours\n"
        "\n"
        "    Up to 365 days.",
        1,
        (
            ListItem("**Shard**: 1 MB/s in", 2, (nested,)),
            ListItem("Retention: 24 hours", 7, (Block("paragraph", "Up to 365 days.", 7),)),
        ),
    )


def test_ordered_list_task_items_and_a_stray_nested_list() -> None:
    page = (
        "<ol><li>Drop rows</li><li>Impute</li>\n"
        "<ul><li>mean</li></ul></ol>\n"
        '<ul><li><input type="checkbox" checked> done</li>'
        '<li><label><input type="checkbox"> todo</label></li></ul>'
    )
    numbered, tasks = blocks(page)
    assert numbered.ordered
    assert numbered.markdown == "1. Drop rows\n2. Impute\n    - mean"
    assert numbered.items[1].children[0].items == (ListItem("mean", 2),)
    assert tasks.items == (ListItem("done", 3, checked=True), ListItem("todo", 3, checked=False))
    assert tasks.markdown == "- [x] done\n- [ ] todo"


def test_definition_list_gives_term_items() -> None:
    page = (
        "<dl>\n<dt>Precision</dt><dd>TP / (TP + FP)</dd>\n"
        "<dt>Recall</dt><dd>TP / (TP + FN)</dd><dd>also sensitivity</dd>\n</dl>"
    )
    assert blocks(page) == (
        Block(
            "list",
            "- **Precision**: TP / (TP + FP)\n- **Recall**: TP / (TP + FN); also sensitivity",
            1,
            (
                ListItem("**Precision**: TP / (TP + FP)", 2),
                ListItem("**Recall**: TP / (TP + FN); also sensitivity", 3),
            ),
        ),
    )


def test_table_rows_header_first_cells_as_markdown() -> None:
    page = (
        "<table>\n<caption>Scalers</caption>\n"
        "<thead><tr><th>Scaler</th><th>Effect</th></tr></thead>\n"
        "<tbody>\n<tr><td><b>Min-max</b></td><td>to 0 | 1<br>bounded</td></tr>\n"
        '<tr><td colspan="2">Robust</td></tr>\n</tbody></table>'
    )
    assert blocks(page) == (
        Block("paragraph", "Scalers", 2),
        Block(
            "table",
            "| Scaler | Effect |\n| --- | --- |\n| **Min-max** | to 0 \\| 1<br>bounded |\n"
            "| Robust |  |",
            1,
            rows=(("Scaler", "Effect"), ("**Min-max**", "to 0 \\| 1<br>bounded"), ("Robust", "")),
        ),
    )


def test_code_blocks() -> None:
    page = (
        '<pre class="language-python">\nimport boto3\n\nclient = boto3.client("s3")\n</pre>\n'
        "<pre><code>has ``` inside</code></pre>\n"
        "<div><code>line one\nline two</code></div>\n"
        "<p>inline <code>x</code></p>"
    )
    assert blocks(page) == (
        Block("code", '```python\nimport boto3\n\nclient = boto3.client("s3")\n```', 1),
        Block("code", "````\nhas ``` inside\n````", 6),
        Block("code", "```\nline one\nline two\n```", 7),
        Block("paragraph", "inline `x`", 9),
    )


def test_images_figures_and_quotes() -> None:
    page = (
        '<p><img src="img/arch.png" alt="Architecture"> <img data-src="lazy.png"></p>\n'
        '<p><a href="big.png"><img src="small.png" alt=""></a></p>\n'
        '<p><img src="data:image/png;base64,AAAA"></p>\n'
        "<figure>\n"
        '<img src="https://example.com/f.png" alt="F">\n'
        "<figcaption>Figure 1: flow</figcaption>\n"
        "</figure>\n"
        "<blockquote><p>Fit on the training split.</p><ul><li>only</li></ul></blockquote>\n"
        "<hr>\n"
    )
    assert blocks(page) == (
        Block("image", "![Architecture](img/arch.png) ![](lazy.png)", 1),
        Block("image", "[![](small.png)](big.png)", 2),
        Block("image", "![F](https://example.com/f.png)", 4),
        Block("paragraph", "Figure 1: flow", 6),
        Block("quote", "> Fit on the training split.\n>\n> - only", 8),
        Block("rule", "---", 9),
    )


def test_headings_inside_items_and_quotes_are_paragraphs() -> None:
    page = "<ul><li><h3>Kinesis</h3><p>streams</p></li></ul>"
    (listed,) = blocks(page)
    assert listed.items == (ListItem("Kinesis", 1, (Block("paragraph", "streams", 1),)),)


def test_bare_text_and_blocks_inside_paragraphs() -> None:
    page = (
        "<div>\n"
        "Loose text\n"
        "<b>with bold</b>\n"
        "<div>Inner</div>\n"
        "tail text</div>\n"
        "<p>Intro<ul><li>item</li></ul>after</p>"
    )
    assert blocks(page) == (
        Block("paragraph", "Loose text **with bold**", 2),
        Block("paragraph", "Inner", 4),
        Block("paragraph", "tail text", 5),
        Block("paragraph", "Intro", 6),
        Block("list", "- item", 6, (ListItem("item", 6),)),
        Block("paragraph", "after", 6),
    )


# --- Robustness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "page.html",
        "https://example.com/page",
        "<?xml version='1.0'?><html><body><p>x</p></body></html>",
        "\x00\x01 binary \xff junk <<<>>> </p></div>",
        "<![if !supportLists]><p>a</p><![endif]><!-- c --><p>b</p><![CDATA[x]]>",
        "<table><tr><td><table><tr><td>x</table></table>",
        "<ol start='99999999999999999999'><li>x</ol>",
        "<td colspan='100000'>x</td>",
        "<ul><li><ul><li><ul>",
        "<h1></h1><h2> </h2><p></p>",
        "<body><article></article></body>",
        "<div class='sidebar'>" * 500 + "x",
    ],
)
def test_hostile_input_never_raises(text: str) -> None:
    notes = tree(text)
    assert (notes.root.title, notes.root.level, notes.root.line) == ("", 0, 1)


def test_deep_nesting_is_read_without_recursion_errors() -> None:
    deep_divs = "<div>" * 20_000 + "<p>bottom</p>" + "</div>" * 20_000
    assert blocks(deep_divs) == (Block("paragraph", "bottom", 1),)
    deep_lists = "<ul><li>x" * 2_000
    (listed,) = blocks(deep_lists)
    assert listed.items[0].text == "x"
    deep_inline = "<p>" + "<b><i>" * 5_000 + "x"
    assert blocks(deep_inline)[0].markdown.count("x") == 1
    quotes = "<blockquote>" * 2_000 + "q"
    assert blocks(quotes)[0].kind == "quote"


def test_a_large_page_is_read_in_bounded_time() -> None:
    sections = "".join(
        f"<h2>Topic {n}</h2>\n<p>Para <b>{n}</b> <a href='#t{n}'>link</a></p>\n"
        f"<ul><li>a<ul><li>b</li></ul></li></ul>\n<table><tr><td>1</td><td>2</td></tr></table>\n"
        for n in range(3_000)
    )
    started = time.perf_counter()
    root = tree(f"<html><body>{sections}</body></html>").root
    assert time.perf_counter() - started < 20
    assert len(root.children) == 3_000
    assert root.children[-1].line == 4 * 2_999 + 1


# --- Fixture ----------------------------------------------------------------------------------


def fixture_tree(name: str) -> NoteTree:
    text, _ = decode((FIXTURES / name).read_bytes())
    return html_tree(source(text, name), "AWS ML")


def test_article_fixture_outline() -> None:
    root = fixture_tree("feature-engineering-article.html").root
    assert root.title == ""
    assert headings(root) == [
        (1, "Feature engineering for the AWS ML Specialty exam", 29),
        (2, "Table of contents", 41),
        (2, "Handling missing data", 50),
        (2, "Encoding categories", 64),
        (3, "One-hot encoding", 65),
        (3, "Other encodings", 68),
        (2, "Scaling", 76),
        (3, "When it matters", 77),
        (3, "Normalising in SageMaker", 92),
        (2, "Text features", 101),
        (3, "TF-IDF", 102),
        (3, "N-grams", 109),
        (2, "References", 113),
    ]


def test_article_fixture_blocks() -> None:
    root = fixture_tree("feature-engineering-article.html").root
    article = root.children[0]
    assert article.blocks == (
        Block(
            "paragraph",
            "Domain 2 of the exam, **Exploratory Data Analysis**, is where most questions "
            "about *preparing features* live. These are my notes, rewritten in my own words.",
            36,
        ),
    )
    toc, missing, encoding, scaling, text, references = article.children
    assert [item.text for item in toc.blocks[0].items] == [
        "[Handling missing data](#missing)",
        "[Encoding categories](#encoding)",
        "[Scaling](#scaling)",
    ]
    assert [b.kind for b in missing.blocks] == ["paragraph", "list", "image"]
    options = missing.blocks[1]
    assert options.ordered
    assert [(i.text, i.line) for i in options.items] == [
        ("Drop the rows, when only a few values are missing.", 53),
        ("Impute the `mean` or `median` of the column.", 54),
        ("Impute with a model:", 55),
    ]
    assert [(i.text, i.line) for i in options.items[2].children[0].items] == [
        ("**KNN**: fills a gap from the nearest similar rows.", 57),
        ("**Deep learning**: best for categorical features, costs the most.", 58),
    ]
    assert missing.blocks[2] == Block(
        "image", "![Imputation decision flow](/images/imputation-flow.png)", 62
    )
    assert encoding.blocks == ()
    assert encoding.children[0].blocks == (
        Block(
            "paragraph",
            "One binary column per category value.\\\n"
            "Fine for a handful of values; with thousands it explodes the feature space.",
            66,
        ),
    )
    assert [i.text for i in encoding.children[1].blocks[0].items] == [
        "**Label encoding**: Maps each category to an integer; only safe for ordinal data.",
        "**Target encoding**: Replaces a category with the mean target value for it.",
    ]
    when, sagemaker = scaling.children
    assert [b.kind for b in when.blocks] == ["list", "table"]
    assert when.blocks[1].line == 82
    assert when.blocks[1].rows == (
        ("Scaler", "What it does"),
        ("Standardisation", "Mean 0, standard deviation 1"),
        ("Min-max", "Squeezes values into [0, 1]"),
        ("Robust", "Uses the median and IQR, so outliers matter less"),
    )
    assert [(b.kind, b.line) for b in sagemaker.blocks] == [
        ("paragraph", 93),
        ("code", 94),
        ("quote", 97),
    ]
    assert sagemaker.blocks[1].markdown.startswith("```python\nfrom sklearn")
    tfidf, ngrams = text.children
    assert [(b.kind, b.line) for b in tfidf.blocks] == [
        ("paragraph", 103),
        ("image", 105),
        ("paragraph", 107),
    ]
    assert ngrams.blocks == ()
    assert [i.line for i in references.blocks[0].items] == [115, 116]


def test_article_fixture_leaves_out_the_page_furniture() -> None:
    everything = all_text(fixture_tree("feature-engineering-article.html").root)
    for noise in (
        "cookies",
        "Accept all",
        "Cloud Study Blog",
        "Home",
        "By a fellow candidate",
        "Tweet",
        "Sponsored",
        "Tags:",
        "comments",
        "Great summary",
        "Related posts",
        "rights reserved",
        "dataLayer",
        "Missing data](#missing)",
    ):
        assert noise not in everything, noise
