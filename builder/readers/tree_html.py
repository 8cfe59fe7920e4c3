"""Saved web articles (`.html`/`.htm`) as a note tree.

The page is parsed with BeautifulSoup's `html.parser`, the parser that records each tag's line
(`sourceline`), so every heading, block and list item points at its line in the file.

What is read:
- the article: the `<article>` with the most text when it holds at least a quarter of the text
  of the `<main>` (or `role="main"`) or `<body>` around it, else the largest `<main>`, else the
  body. A page that lists several articles gives the largest only.
- never read: script, style, nav, footer, aside, form, noscript, iframe, button, template, svg,
  canvas, object, embed, dialog and select; elements with the `hidden` attribute,
  `aria-hidden="true"` or an inline `display:none`; block elements whose class or id has a
  part (split at `-`/`_`) that names site furniture: nav, menu, sidebar, footer, cookie,
  share, comments, advert/ad/ads, related, newsletter, breadcrumb, popup, widget and the like,
  unless the element holds the article or more than half of its text (a wrapper called
  `content has-sidebar` is not a sidebar). A `<header>` inside the article or main element
  keeps only its headings (the article title), not its byline; on a page without either, a
  `<header>` is the site's and is dropped.
- `h1`-`h6` are sections at their own level; inside a list item or quote they are paragraphs.
  Links inside headings are reduced to their text and permalink anchors (`¶`, `#`) dropped.
- `p` and bare text are paragraphs, split where `<br><br>` leaves an empty line; a single
  `<br>` is a Markdown hard break (`\\` at the end of the line). Paragraphs holding only images
  are `image` blocks (`src`, or a lazy `data-src`, kept as written; `data:` URIs dropped).
- `ul`/`ol` (nested, `start` kept, checkbox items as task items), and `dl` as a list of
  `**term**: definition` items. A list item's first paragraph is its text; further paragraphs,
  nested lists, code and tables are its children.
- `table` with its rows (`thead`/`tbody`/`tfoot`, header row first; cells Markdown inline, `|`
  escaped, `<br>` kept, `colspan` padded); a `<caption>` is a paragraph before it.
- `pre` as fenced code (language from a `language-x`/`lang-x` class); a bare `<code>` holding
  several lines as code too, otherwise inline code.
- `blockquote` as a quote; `figure` with images as an image block and its caption as a
  paragraph after it; `hr` as a rule.
- inline markup: bold `**`, italics `*`, strike `~~`, code spans, links `[text](href)` (href as
  written; `javascript:` links lose the link), `sup`/`sub` kept as tags; text characters that
  Markdown would read as markup are escaped.

The root title stays "" like every other builder's: `<title>` is usually "Article | Site name"
and the page's own `<h1>` is already a section. The deck is the build's default; a page has
no frontmatter.

Lines of bare text that is not inside any tag of its own are counted from the nearest tag
before it, so they can be off when that tag's markup spans several lines.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence

from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PageElement, PreformattedString, Tag
from bs4.exceptions import ParserRejectedMarkup

from builder.discover import SourceFile
from builder.readers.note_tree import (
    Block,
    Heading,
    ListItem,
    NoteTree,
    Section,
    list_markdown,
    sections_from_outline,
)
from builder.readers.tree_text import (
    MAX_LIST_DEPTH,
    escape_line_start,
    paragraph_block,
    table_markdown,
)

DROPPED_TAGS = frozenset(
    {
        "script", "style", "nav", "footer", "aside", "form", "noscript", "iframe", "button",
        "template", "svg", "canvas", "object", "embed", "dialog", "select", "textarea", "head",
        "title", "meta", "link", "option", "datalist",
    }
)  # fmt: skip
INLINE_TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i",
        "img", "input", "ins", "kbd", "label", "mark", "q", "s", "samp", "small", "span",
        "strike", "strong", "sub", "sup", "time", "tt", "u", "var", "wbr", "br", "math",
    }
)  # fmt: skip
"""Tags that never hold a section of the page, so their class names are not site furniture
(a code highlighter's `hljs-comment` span is not a comment thread)."""
CONTAINER_TAGS = frozenset(
    {
        "div", "section", "article", "main", "body", "html", "center", "details", "fieldset",
        "hgroup", "tbody", "thead", "tfoot", "tr", "search", "header",
    }
)  # fmt: skip
PARAGRAPH_TAGS = frozenset(
    {"p", "li", "dd", "dt", "td", "th", "caption", "figcaption", "summary", "address", "legend"}
)
"""Tags whose content is one paragraph, unless they hold blocks (then they are containers)."""
LEAF_TAGS = frozenset(
    {"h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "menu", "dl", "table", "pre", "blockquote"}
    | {"hr", "figure"}
)
BLOCK_TAGS = CONTAINER_TAGS | PARAGRAPH_TAGS | LEAF_TAGS
HEADING_LEVELS = {f"h{n}": n for n in range(1, 7)}
CODE_TAGS = frozenset({"code", "kbd", "samp", "tt"})
EMPHASIS = {
    "b": "**", "strong": "**", "i": "*", "em": "*", "cite": "*", "dfn": "*", "var": "*",
    "del": "~~", "s": "~~", "strike": "~~",
}  # fmt: skip
NOISE_WORDS = frozenset(
    {
        "nav", "navbar", "navigation", "menu", "sidebar", "footer", "cookie", "cookies",
        "consent", "gdpr", "share", "sharing", "social", "comment", "comments", "disqus",
        "advert", "advertisement", "adverts", "ad", "ads", "adsbygoogle", "sponsored", "promo",
        "newsletter", "subscribe", "breadcrumb", "breadcrumbs", "popup", "modal", "related",
        "widget", "toolbar", "skip", "masthead",
    }
)  # fmt: skip
NOISE_TOKENS = frozenset({"site-header", "global-header", "topbar", "top-bar"})
NOISE_TOKEN_PREFIXES = ("has-", "with-", "no-", "is-")
"""Class names that describe a page's layout (`has-sidebar`), not what the element is."""
PERMALINK_TEXTS = frozenset({"¶", "#", "§", "🔗", "⚓"})
PERMALINK_CLASSES = frozenset({"headerlink", "anchor", "anchor-link", "permalink", "heading-link"})
HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
LANGUAGE_CLASS_RE = re.compile(r"(?:language|lang)-([\w+#.-]+)")
SPACE_RE = re.compile(r"[ \t\n\r\f\v]+")
MULTI_SPACE_RE = re.compile(r" {2,}")
BACKTICKS_RE = re.compile(r"`+")
BREAK = "\x01"
"""Stands in for `<br>` while inline Markdown is put together."""
PARAGRAPH = "\x02"
"""Stands in for a paragraph boundary while inline Markdown is put together."""
MAX_COLSPAN = 50
MAX_LINE_LOOKBACK = 200


def escape_text(text: str) -> str:
    """Page text as Markdown that shows it as it is: markup characters backslash-escaped."""
    text = re.sub(r"([\\`*])", r"\\\1", text)
    # Brackets only make a link or a wiki link in these spots: "[a](b)", "[a]: b", "[[a]]".
    text = re.sub(r"\](?=[(:\[])", r"\\]", text).replace("[[", "\\[\\[")
    text = re.sub(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", r"\\_", text)
    text = text.replace("==", "\\=\\=").replace("~~", "\\~\\~")
    text = re.sub(r"&(?=#?\w+;)", "&amp;", text)
    return text.replace("<", "&lt;")


def code_span(text: str) -> str:
    """Inline code holding `text`, with a fence longer than any backtick run inside it."""
    text = SPACE_RE.sub(" ", text).strip()
    if not text:
        return ""
    fence = "`" * (1 + max((len(run) for run in BACKTICKS_RE.findall(text)), default=0))
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _wrap(inner: str, mark: str) -> str:
    """`inner` marked up with `mark`, its outer whitespace left outside the marks."""
    core = inner.strip()
    if not core or BREAK in core or PARAGRAPH in core or core.startswith(mark):
        return inner
    lead = inner[: len(inner) - len(inner.lstrip())]
    trail = inner[len(inner.rstrip()) :]
    return f"{lead}{mark}{core}{mark}{trail}"


def _attr(tag: Tag, name: str) -> str:
    value = tag.get(name)
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def _link_target(href: str) -> str:
    target = href.strip()
    if re.search(r"[\s()<>]", target):
        return f"<{target.replace('<', '%3C').replace('>', '%3E')}>"
    return target


def image_markdown(tag: Tag) -> str:
    """`![alt](src)` for an `<img>`, src as written; "" without a usable source."""
    src = _attr(tag, "src").strip() or _attr(tag, "data-src").strip()
    if not src or src.lower().startswith("data:"):
        return ""
    alt = re.sub(r"[\[\]\n\\]", " ", _attr(tag, "alt"))
    return f"![{SPACE_RE.sub(' ', alt).strip()}]({_link_target(src)})"


def split_paragraphs(text: str) -> list[list[str]]:
    """Inline Markdown with break and paragraph marks → paragraphs of lines, spaces tidied;
    an empty line (two breaks in a row) ends a paragraph."""
    paragraphs: list[list[str]] = []
    for chunk in text.split(PARAGRAPH):
        current: list[str] = []
        for piece in chunk.split(BREAK):
            line = MULTI_SPACE_RE.sub(" ", piece).strip()
            if line:
                current.append(line)
            elif current:
                paragraphs.append(current)
                current = []
        if current:
            paragraphs.append(current)
    return paragraphs


def _preformatted_text(tag: Tag) -> str:
    """The text of a `<pre>` as shown: `<br>` as a line break, the first newline dropped."""
    pieces: list[str] = []
    for node in tag.descendants:
        if isinstance(node, Tag) and node.name == "br":
            pieces.append("\n")
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            pieces.append(str(node))
    text = "".join(pieces)
    return text.removeprefix("\n").rstrip()


def _code_block(text: str, language: str, line: int) -> Block:
    runs = [len(run) for run in BACKTICKS_RE.findall(text)]
    fence = "`" * max(3, 1 + max(runs, default=0))
    return Block("code", f"{fence}{language}\n{text}\n{fence}", line)


class _Page:
    """One parsed page: which parts are read, and their conversion to a note outline."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.soup = soup
        tags: list[Tag] = [soup, *soup.find_all(True)]
        self.lengths: dict[int, int] = {}
        # Children come after their parent in document order: walking backwards sums each
        # tag's text from its children's in one linear pass.
        for tag in reversed(tags):
            total = 0
            if tag.name not in ("script", "style", "template"):
                for child in tag.contents:
                    if isinstance(child, Tag):
                        total += self.lengths.get(id(child), 0)
                    elif isinstance(child, NavigableString) and not isinstance(
                        child, PreformattedString
                    ):
                        total += len(child.strip())
            self.lengths[id(tag)] = total
        self.tags = tags  # keeps every tag alive, so no id() above is reused
        self.focus: Tag = self._choose_focus(tags)
        self.focus_length = self.length(self.focus)
        self.protected = {id(self.focus)} | {id(parent) for parent in self.focus.parents}
        # No article or main element: a `<header>` is then the site's, not the article's.
        self.focus_is_page = self.focus.name in ("body", "html", BeautifulSoup.ROOT_TAG_NAME)
        self.skip_cache: dict[int, bool] = {}

    def length(self, tag: Tag) -> int:
        return self.lengths.get(id(tag), 0)

    def _choose_focus(self, tags: Sequence[Tag]) -> Tag:
        articles = [tag for tag in tags if tag.name == "article"]
        mains = [tag for tag in tags if tag.name == "main" or _attr(tag, "role") == "main"]
        body = self.soup.body or self.soup
        main = max(mains, key=self.length) if mains else None
        if articles:
            article = max(articles, key=self.length)
            around = main if main is not None and any(p is main for p in article.parents) else body
            if 4 * self.length(article) >= self.length(around):
                return article
        return main if main is not None else body

    def skipped(self, tag: Tag) -> bool:
        """Whether the element (and all it holds) is not part of the article."""
        known = self.skip_cache.get(id(tag))
        if known is None:
            known = self.skip_cache[id(tag)] = self._skipped(tag)
        return known

    def _skipped(self, tag: Tag) -> bool:
        name = tag.name
        if name in DROPPED_TAGS or (name == "header" and self.focus_is_page):
            return True
        if tag.has_attr("hidden") or _attr(tag, "aria-hidden").lower() == "true":
            return True
        if HIDDEN_STYLE_RE.search(_attr(tag, "style")):
            return True
        if name in INLINE_TAGS or id(tag) in self.protected:
            return False
        if not self._noisy(tag):
            return False
        return not 2 * self.length(tag) > self.focus_length > 0

    def _skipped_within(self, tag: Tag, top: Tag) -> bool:
        """Whether the tag or one of its ancestors below `top` is skipped."""
        current: Tag | None = tag
        while current is not None and current is not top:
            if self.skipped(current):
                return True
            current = current.parent
        return False

    @staticmethod
    def _noisy(tag: Tag) -> bool:
        tokens = _attr(tag, "class").lower().split()
        element_id = _attr(tag, "id").lower().strip()
        if element_id:
            tokens.append(element_id)
        for token in tokens:
            if token.startswith(NOISE_TOKEN_PREFIXES):
                continue
            if token in NOISE_TOKENS or any(
                part in NOISE_WORDS for part in re.split(r"[-_:.]+", token)
            ):
                return True
        return False

    # --- Walking the block structure --------------------------------------------------------

    def _holds_blocks(self, tag: Tag) -> bool:
        return any(
            isinstance(child, Tag) and child.name in BLOCK_TAGS and not self.skipped(child)
            for child in tag.contents
        )

    def pieces(self, container: Tag) -> Iterator[Tag | list[PageElement]]:
        """The container's block elements in order, and runs of inline content between them.

        Containers (div, section, a `<p>` that holds a list) are walked with an explicit
        stack, so no nesting depth is too deep for it."""
        run: list[PageElement] = []
        stack: list[Iterator[PageElement]] = [iter(list(container.contents))]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
                if run:
                    yield run
                    run = []
                continue
            if isinstance(node, NavigableString):
                if not isinstance(node, PreformattedString):
                    run.append(node)
                continue
            if not isinstance(node, Tag) or self.skipped(node):
                continue
            name = node.name
            leaf = name in LEAF_TAGS and not (name == "figure" and node.find("img") is None)
            if name == "header":
                if run:
                    yield run
                    run = []
                yield from (
                    heading
                    for heading in node.find_all(list(HEADING_LEVELS))
                    if not self._skipped_within(heading, node)
                )
            elif leaf:
                if run:
                    yield run
                    run = []
                yield node
            elif (
                name in CONTAINER_TAGS
                or (name == "figure" and not leaf)
                or ((name in PARAGRAPH_TAGS or name not in BLOCK_TAGS) and self._holds_blocks(node))
            ):
                if run:
                    yield run
                    run = []
                stack.append(iter(list(node.contents)))
            elif name in PARAGRAPH_TAGS:
                if run:
                    yield run
                    run = []
                yield node
            else:
                run.append(node)
        if run:
            yield run

    def outline(
        self, container: Tag, depth: int = 0, nested: bool = False
    ) -> list[Heading | Block]:
        """Headings and blocks of the container in order; headings become paragraphs when
        `nested` (inside a list item or quote, where no section can start)."""
        found: list[Heading | Block] = []
        for piece in self.pieces(container):
            if isinstance(piece, list):
                found.extend(self._run_blocks(piece, container))
                continue
            name = piece.name
            line = piece.sourceline or _line_of(piece, container)
            if name in HEADING_LEVELS:
                title = self.heading_title(piece)
                if not title:
                    continue
                if nested:
                    found.append(paragraph_block([title], line))
                else:
                    found.append(Heading(title, HEADING_LEVELS[name], line))
            elif name in ("ul", "ol", "menu"):
                found.extend(self._list_block(piece, depth))
            elif name == "dl":
                found.extend(self._definition_list(piece, line))
            elif name == "table":
                found.extend(self._table_blocks(piece, line))
            elif name == "pre":
                text = _preformatted_text(piece)
                if text.strip():
                    found.append(_code_block(text, _language(piece), line))
            elif name == "blockquote":
                found.extend(self._quote_block(piece, depth, line))
            elif name == "hr":
                found.append(Block("rule", "---", line))
            elif name == "figure":
                found.extend(self._figure_blocks(piece, line))
            else:  # a paragraph-like element
                found.extend(self._paragraphs(list(piece.contents), line))
        return found

    def _blocks(self, container: Tag, depth: int) -> list[Block]:
        if depth > MAX_LIST_DEPTH:
            # Too deep to keep the structure: its text as paragraphs.
            return self._paragraphs(list(container.contents), container.sourceline or 1)
        return [b for b in self.outline(container, depth, nested=True) if isinstance(b, Block)]

    def _run_blocks(self, run: list[PageElement], container: Tag) -> list[Block]:
        meaningful = [
            node
            for node in run
            if isinstance(node, Tag) or (isinstance(node, NavigableString) and node.strip())
        ]
        if not meaningful:
            return []
        line = _line_of(meaningful[0], container)
        only = meaningful[0]
        if len(meaningful) == 1 and isinstance(only, Tag) and only.name in CODE_TAGS:
            text = _preformatted_text(only)
            if "\n" in text.strip():
                return [_code_block(text, _language(only), line)]
        return self._paragraphs(run, line)

    def _paragraphs(self, nodes: Sequence[PageElement], line: int) -> list[Block]:
        return [
            paragraph_block(lines, line, joiner="\\\n")
            for lines in split_paragraphs(self.inline(nodes))
        ]

    def heading_title(self, tag: Tag) -> str:
        return " ".join(
            line
            for lines in split_paragraphs(self.inline(tag.contents, heading=True))
            for line in lines
        )

    # --- Blocks -----------------------------------------------------------------------------

    def _list_block(self, tag: Tag, depth: int) -> list[Block]:
        if depth >= MAX_LIST_DEPTH:
            return self._paragraphs(list(tag.contents), tag.sourceline or 1)
        items: list[ListItem] = []
        for child in tag.contents:
            if isinstance(child, NavigableString):
                if not isinstance(child, PreformattedString) and child.strip():
                    text = escape_line_start(escape_text(SPACE_RE.sub(" ", child).strip()))
                    items.append(ListItem(text, _line_of(child, tag)))
                continue
            if not isinstance(child, Tag) or self.skipped(child):
                continue
            if child.name in ("ul", "ol") and items:
                # `<ul><li>a</li><ul>…</ul></ul>`: the stray list belongs to the item before it.
                last = items[-1]
                nested = tuple(self._list_block(child, depth + 1))
                items[-1] = ListItem(last.text, last.line, last.children + nested, last.checked)
                continue
            item = self._list_item(child, depth)
            if item is not None:
                items.append(item)
        if not items:
            return []
        ordered = tag.name == "ol"
        start_attr = _attr(tag, "start").strip()
        start = int(start_attr) if ordered and start_attr.isdigit() and len(start_attr) < 9 else 1
        markdown = list_markdown(items, ordered, start)
        return [Block("list", markdown, tag.sourceline or 1, tuple(items), ordered)]

    def _list_item(self, tag: Tag, depth: int) -> ListItem | None:
        blocks = self._blocks(tag, depth + 1)
        text = ""
        if blocks and blocks[0].kind == "paragraph":
            text, blocks = blocks[0].markdown, blocks[1:]
        if not text and not blocks:
            return None
        return ListItem(text, tag.sourceline or 1, tuple(blocks), _checkbox(tag))

    def _definition_list(self, tag: Tag, line: int) -> list[Block]:
        groups: list[tuple[str, int, list[str]]] = []
        children = [
            grandchild
            for child in tag.contents
            if isinstance(child, Tag) and not self.skipped(child)
            for grandchild in (child.contents if child.name == "div" else [child])
        ]
        for child in children:
            if not isinstance(child, Tag) or child.name not in ("dt", "dd"):
                continue
            text = " ".join(
                line for lines in split_paragraphs(self.inline(child.contents)) for line in lines
            )
            if not text:
                continue
            if child.name == "dt" or not groups:
                term = text if child.name == "dt" else ""
                groups.append((term, child.sourceline or line, [] if term else [text]))
            else:
                groups[-1][2].append(text)
        items = []
        for term, term_line, definitions in groups:
            bold = term if not term or term.startswith("**") else f"**{term}**"
            joined = "; ".join(definitions)
            text = f"{bold}: {joined}" if bold and joined else bold or joined
            items.append(ListItem(escape_line_start(text), term_line))
        if not items:
            return []
        return [Block("list", list_markdown(items, False), line, tuple(items))]

    def _table_blocks(self, tag: Tag, line: int) -> list[Block]:
        blocks: list[Block] = []
        rows: list[tuple[str, ...]] = []
        row_tags: list[Tag] = []
        for child in tag.contents:
            if not isinstance(child, Tag) or self.skipped(child):
                continue
            if child.name == "caption":
                blocks.extend(self._paragraphs(list(child.contents), child.sourceline or line))
            elif child.name == "tr":
                row_tags.append(child)
            elif child.name in ("thead", "tbody", "tfoot"):
                row_tags.extend(
                    row
                    for row in child.contents
                    if isinstance(row, Tag) and row.name == "tr" and not self.skipped(row)
                )
        for row in row_tags:
            cells: list[str] = []
            for cell in row.contents:
                if not isinstance(cell, Tag) or cell.name not in ("td", "th"):
                    continue
                if self.skipped(cell):
                    continue
                paragraphs = split_paragraphs(self.inline(cell.contents))
                text = "<br><br>".join("<br>".join(lines) for lines in paragraphs)
                cells.append(text.replace("|", "\\|"))
                span = _attr(cell, "colspan").strip()
                if span.isdigit():
                    cells.extend([""] * min(int(span) - 1, MAX_COLSPAN))
            if cells:
                rows.append(tuple(cells))
        if any(cell for row in rows for cell in row):
            blocks.append(Block("table", table_markdown(rows), line, rows=tuple(rows)))
        return blocks

    def _quote_block(self, tag: Tag, depth: int, line: int) -> list[Block]:
        inner = self._blocks(tag, depth + 1)
        if not inner:
            return []
        body = "\n\n".join(block.markdown for block in inner)
        markdown = "\n".join(f"> {text}" if text else ">" for text in body.split("\n"))
        return [Block("quote", markdown, line)]

    def _figure_blocks(self, tag: Tag, line: int) -> list[Block]:
        images = [
            image_markdown(img) for img in tag.find_all("img") if not self._skipped_within(img, tag)
        ]
        blocks: list[Block] = []
        markdown = " ".join(image for image in images if image)
        if markdown:
            blocks.append(Block("image", markdown, line))
        for caption in tag.find_all("figcaption"):
            blocks.extend(self._paragraphs(list(caption.contents), caption.sourceline or line))
        return blocks

    # --- Inline Markdown --------------------------------------------------------------------

    def inline(self, nodes: Sequence[PageElement], heading: bool = False) -> str:
        """Inline Markdown of the nodes, with BREAK and PARAGRAPH marks for `split_paragraphs`.

        Walks with its own stack: an element is pushed twice, once to open it (its children go
        on top) and once, with where its output starts, to close it."""
        out: list[str] = []
        stack: list[tuple[PageElement, int]] = [(node, -1) for node in reversed(nodes)]
        while stack:
            node, start = stack.pop()
            if isinstance(node, NavigableString):
                if not isinstance(node, PreformattedString):
                    text = str(node).replace(BREAK, " ").replace(PARAGRAPH, " ")
                    out.append(escape_text(SPACE_RE.sub(" ", text)))
                continue
            if not isinstance(node, Tag):
                continue
            name = node.name
            if start >= 0:
                inner = "".join(out[start:])
                del out[start:]
                out.append(self._close(node, inner, heading))
                continue
            if name in ("input", "wbr") or self.skipped(node):
                continue
            if name == "br":
                out.append(" " if heading else BREAK)
                continue
            if name == "img":
                out.append(image_markdown(node))
                continue
            if name in CODE_TAGS or name == "pre":
                out.append(code_span(_preformatted_text(node)))
                continue
            if name in BLOCK_TAGS:
                out.append(PARAGRAPH)
            stack.append((node, len(out)))
            stack.extend((child, -1) for child in reversed(node.contents))
        return "".join(out)

    @staticmethod
    def _close(tag: Tag, inner: str, heading: bool) -> str:
        name = tag.name
        if name in BLOCK_TAGS:
            return inner + (" " if name in ("td", "th") else PARAGRAPH)
        if name in EMPHASIS:
            return _wrap(inner, EMPHASIS[name])
        if name in ("sup", "sub") and inner.strip():
            return f"<{name}>{inner.strip()}</{name}>"
        if name == "q" and inner.strip():
            return f"“{inner.strip()}”"
        if name == "a":
            core = inner.strip()
            href = _attr(tag, "href").strip()
            classes = frozenset(_attr(tag, "class").lower().split())
            symbol = not any(char.isalnum() for char in core)
            if core in PERMALINK_TEXTS or (symbol and classes & PERMALINK_CLASSES):
                return ""
            if (
                heading
                or not href
                or not core
                or href.lower().startswith(("javascript:", "data:"))
                or BREAK in core
                or PARAGRAPH in core
            ):
                return inner
            lead = inner[: len(inner) - len(inner.lstrip())]
            trail = inner[len(inner.rstrip()) :]
            return f"{lead}[{core}]({_link_target(href)}){trail}"
        return inner


def _language(tag: Tag) -> str:
    for candidate in (tag, tag.find("code")):
        if isinstance(candidate, Tag):
            match = LANGUAGE_CLASS_RE.search(_attr(candidate, "class"))
            if match is not None:
                return match.group(1)
    return ""


def _checkbox(item: Tag) -> bool | None:
    """Task-list state of a list item holding a checkbox near its start, else None."""
    for child in item.contents[:6]:
        if not isinstance(child, Tag):
            continue
        boxes = [child] if child.name == "input" else child.find_all("input", limit=1)
        if child.name in ("input", "label", "p", "span"):
            for box in boxes:
                if _attr(box, "type").lower() == "checkbox":
                    return box.has_attr("checked")
    return None


def _line_of(node: PageElement, fallback: Tag) -> int:
    """1-based line where the node's content starts: its own tag's line, or for text the line
    of the nearest tag before it plus the newlines in between."""
    if isinstance(node, Tag) and node.sourceline:
        return node.sourceline
    newlines = 0
    if isinstance(node, NavigableString):
        text = str(node)
        newlines = text[: len(text) - len(text.lstrip())].count("\n")
    previous = node.previous_element
    for _ in range(MAX_LINE_LOOKBACK):
        if previous is None:
            return 1 + newlines
        if isinstance(previous, Tag) and previous.sourceline:
            return previous.sourceline + newlines
        if isinstance(previous, NavigableString):
            newlines += str(previous).count("\n")
        previous = previous.previous_element
    return fallback.sourceline or 1


def html_tree(source: SourceFile, default_deck: str) -> NoteTree:
    """The note tree of a saved web article."""
    empty = NoteTree(Section("", 0, 1), default_deck)
    try:
        with warnings.catch_warnings():
            # Short or XHTML input makes bs4 warn; the page is read as HTML either way.
            warnings.simplefilter("ignore", MarkupResemblesLocatorWarning)
            warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
            soup = BeautifulSoup(source.text, "html.parser")
    except (ParserRejectedMarkup, AssertionError, ValueError):
        return empty
    page = _Page(soup)
    return NoteTree(sections_from_outline(page.outline(page.focus)), default_deck)
