"""Real input files, damaged: every fixture and starter-deck note with lines deleted, doubled
and swapped, random Unicode, NULs, CRLF, a BOM or mojibake put in, or cut at a random byte."""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

from tests.fuzz.documents import INLINE, WORDS

REPO = Path(__file__).parent.parent.parent
INPUT_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".json", ".jsonl", ".html", ".htm"})


def corpus() -> list[Path]:
    """Every input file of the fixtures and the starter deck (not the expected outputs, nor
    the bad-input corpus, whose `.bad` files are run on their own)."""
    roots = [REPO / "tests" / "fixtures", REPO / "source_notes"]
    return sorted(
        path
        for root in roots
        for path in root.rglob("*")
        if path.is_file()
        and path.suffix.lower() in INPUT_SUFFIXES
        and not path.name.endswith(".expected.json")
    )


CORPUS = corpus()

Mutation = tuple[str, float, float, bytes]
"""(operation, where, where else, payload): positions are fractions of the file."""

payload = st.one_of(
    st.sampled_from([w.encode() for w in WORDS + INLINE]),
    st.sampled_from(
        [
            b"\x00",
            b"\xef\xbb\xbf",
            b"\r\n",
            b"\r",
            b"\xff\xfe",
            b"\xc3",
            b"\xe2\x80",
            b"\xa0",
            b"\xc2\xa0",
            b"\x1f",
            b"#card",
            b"\n\n",
            b"\n---\n",
            b"\n```\n",
            b"\n$$\n",
        ]
    ),
    st.text(max_size=8).map(lambda t: t.encode()),
    st.binary(max_size=4),
)
OPERATIONS = [
    "delete-line", "duplicate-line", "swap-lines", "insert", "replace-byte", "truncate",
    "crlf", "crlf-line", "bom", "mojibake-line", "cp1252", "repeat-line", "join-lines",
    "blank-line",
]  # fmt: skip
mutation = st.tuples(
    st.sampled_from(OPERATIONS),
    st.floats(0, 1, exclude_max=True),
    st.floats(0, 1, exclude_max=True),
    payload,
)


def _at(fraction: float, size: int) -> int:
    return min(size - 1, int(fraction * size)) if size else 0


def mutate(data: bytes, mutations: list[Mutation]) -> bytes:
    """Apply the mutations in order."""
    for operation, where, other, extra in mutations:
        lines = data.split(b"\n")
        i, j = _at(where, len(lines)), _at(other, len(lines))
        if operation == "delete-line":
            del lines[i]
        elif operation == "duplicate-line":
            lines.insert(j, lines[i])
        elif operation == "swap-lines":
            lines[i], lines[j] = lines[j], lines[i]
        elif operation == "repeat-line":
            lines[i:i] = [lines[i]] * (2 + int(other * 60))
        elif operation == "join-lines" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif operation == "blank-line":
            lines.insert(i, b"")
        elif operation == "mojibake-line":
            # UTF-8 read as Latin-1 and saved again as UTF-8: `Â ` for a no-break space.
            lines[i] = (
                lines[i].decode("utf-8", "replace").encode("utf-8").decode("latin-1").encode()
            )
        elif operation == "crlf-line":
            lines[i] += b"\r"
        if operation in ("insert", "replace-byte", "truncate", "crlf", "bom", "cp1252"):
            k = _at(where, len(data) + 1)
            if operation == "insert":
                data = data[:k] + extra + data[k:]
            elif operation == "replace-byte" and data:
                data = data[:k] + (extra[:1] or b"?") + data[k + 1 :]
            elif operation == "truncate":
                data = data[:k]
            elif operation == "crlf":
                data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
            elif operation == "bom":
                data = b"\xef\xbb\xbf" + data
            elif operation == "cp1252":
                data = data.decode("utf-8", "replace").encode("cp1252", "replace")
        else:
            data = b"\n".join(lines)
    return data


@st.composite
def mutated_files(draw: st.DrawFn, max_mutations: int = 8) -> tuple[str, bytes]:
    """(file name, bytes) of a real file, damaged; the name keeps the file's ending, or not."""
    path = draw(st.sampled_from(CORPUS))
    data = mutate(path.read_bytes(), draw(st.lists(mutation, min_size=1, max_size=max_mutations)))
    suffix = path.suffix
    if draw(st.integers(0, 9)) == 0:
        suffix = draw(st.sampled_from(sorted(INPUT_SUFFIXES)))
    return f"{path.stem}{suffix}", data
