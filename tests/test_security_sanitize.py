"""Nothing executable or remote survives into a field."""

from __future__ import annotations

import pytest

from builder.transforms.sanitize import sanitize_html

HOSTILE = [
    ("<script>alert(1)</script>ok", "ok"),
    ('<img src="x.png" onerror="alert(1)">', '<img src="x.png">'),
    ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "<a>x</a>"),
    ('<a href="data:text/html,<b>x</b>">x</a>', "<a>x</a>"),
    ('<iframe src="https://evil.test"></iframe>y', "y"),
    ("<object data='x.swf'></object><embed src='x'>z", "z"),
    ("<style>body{display:none}</style>t", "t"),
    ('<svg onload="alert(1)"><script>x</script></svg>s', "s"),
    ('<img src="https://tracker.test/p.gif">', ""),
    ('<img src="../../etc/passwd">', ""),
    ('<div style="background:url(https://x.test)" class="c">d</div>', '<div class="c">d</div>'),
    ("<form action='https://x'><input name=a></form>f", "f"),
    (
        '<a href="https://docs.aws.amazon.com/" onclick="x()">docs</a>',
        '<a href="https://docs.aws.amazon.com/">docs</a>',
    ),
    ("<blink>old</blink>", "old"),
    ("a<!-- ID: 123 -->b<!-- <script>x</script> -->", "ab"),
]


@pytest.mark.parametrize(("dirty", "clean"), HOSTILE)
def test_hostile_markup_is_removed(dirty: str, clean: str) -> None:
    assert sanitize_html(dirty) == clean


def test_formatting_is_kept() -> None:
    html = (
        "<p><strong>b</strong> <em>i</em> <code>c</code><br><mark>m</mark></p><ul><li>x</li></ul>"
        "<details><summary>More</summary>hidden until opened, no script needed</details>"
    )
    assert sanitize_html(html) == html
