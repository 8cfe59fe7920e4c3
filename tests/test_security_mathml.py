"""The TeX converter does not escape what `\\text{…}` carries: nothing it writes may become
markup outside MathML, an attribute that fetches or runs, or a script."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

from builder.writers.mathml import ATTRIBUTES, ELEMENTS, math_as_mathml

HOSTILE = [
    r"\(\text{&lt;img src=x onerror=alert(1)&gt;}\)",
    r"\(\text{&lt;/mtext&gt;&lt;/math&gt;&lt;script&gt;alert(1)&lt;/script&gt;}\)",
    r"\(\text{&lt;mi onclick=alert(1)&gt;x&lt;/mi&gt;}\)",
    r"\(\style{background:url(http://example.com/x)}{y}\)",
    r"\(\href{javascript:alert(1)}{y}\)",
    r"\(\text{&lt;a href=javascript:alert(1)&gt;x&lt;/a&gt;}\)",
    r"\(\text{&lt;!DOCTYPE x [&lt;!ENTITY e SYSTEM 'file:///etc/passwd'&gt;]&gt;&amp;e;}\)",
]


@pytest.mark.parametrize("field", HOSTILE)
def test_converted_math_holds_only_mathml(field: str) -> None:
    soup = BeautifulSoup(math_as_mathml(f"<p>{field}</p>"), "html.parser")
    for tag in soup.find_all(True):
        assert isinstance(tag, Tag)
        if tag.name in ("p", "span"):
            assert tag.name == "p" or tag.get("class") == ["tex-source"]
            continue
        assert tag.name in ELEMENTS, tag.name
        assert set(tag.attrs) <= ATTRIBUTES | {"encoding"}, tag.attrs
    assert not soup.find_all(["script", "img", "a"])
