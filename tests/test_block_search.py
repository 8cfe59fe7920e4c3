"""The block parser that searches line starts only finds what mistune's search finds.

`LineStartBlockParser` is right only because every block rule the builder's two parsers use
starts with `^`: checked here on the installed mistune, branch by branch. Its search is then
compared with the regex engine's on random Markdown, and whole documents come out of mistune
the same with either parser.
"""

from __future__ import annotations

import random
import re
from re import _constants as sre_constants  # type: ignore[attr-defined]
from re import _parser as sre_parser  # type: ignore[attr-defined]
from typing import Any

import mistune
import pytest
from mistune.block_parser import BlockParser
from mistune.inline_parser import InlineParser
from mistune.plugins import import_plugin

from builder.block_search import LineStartBlockParser, _LineStartPattern
from builder.readers import tree_markdown
from builder.transforms.render import PLUGINS, FieldRenderer
from tests.conftest import REPO

PIECES = [
    "text",
    "**bold**",
    "- ",
    "* ",
    "1. ",
    "2) ",
    "# ",
    "## h",
    "> ",
    "```",
    "~~~",
    "    code",
    "\t",
    "$$",
    "$x$",
    "| a | b |",
    "|---|---|",
    "---",
    "***",
    "===",
    "[^1]: note",
    "[ref]: http://x.test",
    "<div>",
    "</div>",
    "<!-- c -->",
    "<?x ?>",
    "<![CDATA[",
    "- [x] ",
    "![i](a.png)",
    " ",
    "   ",
    "\n",
    "\n",
    "\n\n",
]


def _random_markdown(rng: random.Random) -> str:
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30)))


def _anchored(items: Any) -> bool:
    """Whether a parsed pattern can only match at `^`."""
    items = list(items)
    if not items:
        return False
    op, av = items[0]
    if op is sre_constants.AT:
        return av is sre_constants.AT_BEGINNING
    if op is sre_constants.BRANCH:
        return all(_anchored(branch) for branch in av[1])
    if op is sre_constants.SUBPATTERN:
        return _anchored(av[-1])
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        return av[0] >= 1 and _anchored(av[2])
    return False


def _parsers() -> list[BlockParser]:
    renderer = FieldRenderer([], [])
    return [renderer._markdown.block, tree_markdown._MARKDOWN.block]


@pytest.mark.parametrize("block", _parsers(), ids=["render", "tree"])
def test_every_block_rule_starts_a_line(block: BlockParser) -> None:
    assert isinstance(block, LineStartBlockParser)
    for name in block.rules:
        assert _anchored(sre_parser.parse(block.specification[name])), name
    assert isinstance(block.compile_sc(), _LineStartPattern)


@pytest.mark.parametrize("block", _parsers(), ids=["render", "tree"])
def test_search_finds_what_the_regex_engine_finds(block: BlockParser) -> None:
    rng = random.Random(20261207)
    rule_sets = [None, ["thematic_break", "list"], ["blank_line", "indent_code", "fenced_code"]]
    for _ in range(5_000):
        text = _random_markdown(rng)
        pos = rng.randint(0, len(text))
        for rules in rule_sets:
            wrapped = block.compile_sc(rules)
            assert isinstance(wrapped, _LineStartPattern)
            found, expected = wrapped.search(text, pos), wrapped.pattern.search(text, pos)
            assert (found and (found.span(), found.lastgroup)) == (
                expected and (expected.span(), expected.lastgroup)
            ), (text, pos)


def test_documents_render_as_with_mistunes_own_parser() -> None:
    usual = mistune.create_markdown(escape=False, plugins=list(PLUGINS))
    line_start = mistune.Markdown(
        renderer=mistune.HTMLRenderer(escape=False),
        block=LineStartBlockParser(),
        inline=InlineParser(hard_wrap=False),
        plugins=[import_plugin(name) for name in PLUGINS],
    )
    rng = random.Random(20261208)
    texts = [p.read_text() for p in sorted((REPO / "tests" / "fixtures").rglob("*.md"))]
    texts += [_random_markdown(rng) for _ in range(3_000)]
    for text in texts:
        assert line_start(text) == usual(text), text


def test_searching_past_the_end_finds_nothing() -> None:
    pattern = _LineStartPattern(re.compile(r"^a", re.M))
    assert pattern.search("b\na", 99) is None
    assert pattern.search("b\na", 1).span() == (2, 3)  # type: ignore[union-attr]
    assert pattern.search("a", 0).span() == (0, 1)  # type: ignore[union-attr]


def test_rules_it_cannot_read_keep_mistunes_own_search() -> None:
    """A rule that does not start with `^`, or a mistune whose rules are kept elsewhere, gets
    the compiled pattern itself back, and with it the regex engine's search."""
    parser = LineStartBlockParser()
    assert isinstance(parser.compile_sc(), _LineStartPattern)
    parser = LineStartBlockParser()
    first = parser.rules[0]
    parser.specification = {**parser.specification, first: r"[ \t]*" + first}
    assert isinstance(parser.compile_sc(), re.Pattern)
    parser = LineStartBlockParser()
    rules = {name: parser.specification[name] for name in parser.rules}
    parser.specification = type("Rules", (), {"__getitem__": lambda _, k: rules[k]})()
    assert isinstance(parser.compile_sc(), re.Pattern)
