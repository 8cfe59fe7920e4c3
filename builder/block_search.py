"""mistune's block parser, finding the next block from line start to line start.

When a line starts no block (a list item's text opening with `**`, say), mistune searches the
rest of the text for the next block with one pattern of all its block rules. Python's regex
engine tries that pattern at every character, ~14 rules each time: 20-30 µs a list item, a
third of reading the synthetic study notes and a fifth of rendering them. Every block rule
starts with `^` (MULTILINE), so a match can only start where a line does: trying the pattern
there alone finds the same match.
"""

from __future__ import annotations

import re
from typing import Any

from mistune.block_parser import BlockParser


class _LineStartPattern:
    """A compiled block-rules pattern whose `search` tries line starts only."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.match = pattern.match

    def search(self, string: str, pos: int = 0) -> re.Match[str] | None:
        """`pattern.search(string, pos)`: the first line start from `pos` where it matches."""
        pos = min(max(pos, 0), len(string))
        while True:
            if pos == 0 or string[pos - 1] == "\n":
                found = self.pattern.match(string, pos)
                if found is not None:
                    return found
            newline = string.find("\n", pos)
            if newline < 0:
                return None
            pos = newline + 1


class LineStartBlockParser(BlockParser):
    """`BlockParser` whose rule patterns search from line start to line start, when every
    rule in them starts with `^` (a rule a plugin adds that does not keeps the usual search).

    Only a rule's start is looked at here; tests/test_block_search.py checks every branch of
    every rule the builder's parsers use, on the installed mistune."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._line_start: dict[re.Pattern[str], _LineStartPattern] = {}

    def compile_sc(self, rules: list[str] | None = None) -> Any:
        # `Any`: mistune only calls `match` and `search` on what this returns.
        pattern = super().compile_sc(rules)
        wrapped = self._line_start.get(pattern)
        if wrapped is None:
            # A later mistune 3 that keeps its rules otherwise gets its own search back.
            specification = getattr(self, "specification", None)
            names = self.rules if rules is None else rules
            anchored = (
                isinstance(pattern, re.Pattern)
                and isinstance(specification, dict)
                and all(
                    isinstance(specification.get(name), str)
                    and specification[name].startswith(("^", "(^"))
                    for name in names
                )
            )
            if not anchored or pattern.flags & re.MULTILINE == 0:
                return pattern
            wrapped = self._line_start[pattern] = _LineStartPattern(pattern)
        return wrapped
