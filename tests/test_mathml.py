"""MathJax formulas become MathML at build time; what does not convert stays readable TeX."""

from __future__ import annotations

from bs4 import BeautifulSoup

from builder.writers.mathml import math_as_mathml, tex_to_mathml


def test_inline_and_displayed_formulas_become_mathml_with_their_source() -> None:
    page = math_as_mathml(r"<p>Precision: \(\frac{TP}{TP+FP}\).</p><p>\[x^2\]</p>")
    soup = BeautifulSoup(page, "html.parser")
    inline, shown = soup.find_all("math")
    assert inline["display"] == "inline" and inline.find("mfrac") is not None
    assert shown["display"] == "block" and shown.find("msup") is not None
    assert inline.annotation is not None and inline.annotation.string == r"\frac{TP}{TP+FP}"
    assert page.startswith("<p>Precision: <math") and "</math>.</p><p><math" in page
    assert "\\(" not in page


def test_entities_in_the_field_are_the_formulas_characters() -> None:
    mathml = math_as_mathml(r"\(a &lt; b\)")
    assert "<mo>&lt;</mo>" in mathml and "&amp;lt;" not in mathml


def test_math_in_code_is_left_alone_as_mathjax_does() -> None:
    html = r"<pre><code>\(x\)</code></pre><code>\[y\]</code>"
    assert math_as_mathml(html) == html


def test_formulas_that_do_not_convert_are_shown_as_tex() -> None:
    # \foo is no command: the converter would print it as a symbol.
    page = math_as_mathml(r"<p>\(\foo{x}\) and \(y\)</p>")
    soup = BeautifulSoup(page, "html.parser")
    source = soup.find("span", class_="tex-source")
    assert source is not None and source.get_text() == r"\(\foo{x}\)"
    assert len(soup.find_all("math")) == 1
    assert tex_to_mathml(r"\text{a & b}", display=False) is None


def test_text_without_math_is_returned_unchanged() -> None:
    html = "<p>$5 and $10, a \\ backslash</p>"
    assert math_as_mathml(html) is html
