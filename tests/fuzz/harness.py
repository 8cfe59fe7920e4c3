"""What every fuzz test checks of a file: each reader claims and reads it without raising or
hanging, and no card it makes has an empty side."""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

from bs4 import BeautifulSoup

from builder.discover import SourceFile, discover
from builder.files import FileWorker, read_file
from builder.model import QA, Card, Cloze, MultipleChoice, TaggedCard
from builder.readers import READERS, ReadContext, choose_reader

FUZZ = os.environ.get("HYPOTHESIS_PROFILE", "ci") == "fuzz"
FUZZ_FACTOR = int(os.environ.get("FUZZ_FACTOR", "20"))
"""`make fuzz` runs this many times the examples of `make test` (20: about ten minutes)."""

READ_SECONDS = 15
"""Hard limit for one reader on one file: a file of a few kilobytes takes milliseconds, so this
is a hang (a loop that never ends, a regex backtracking for ever), not slowness."""
BUILD_SECONDS = 60
"""Hard limit for one whole build and import of a few small files."""

CONTEXT = ReadContext("Fuzz")
ANKI_CLOZE_RE = re.compile(r"\{\{c(\d+)::(.*?)(?:::(.*?))?\}\}", re.DOTALL)


def examples(ci: int) -> int:
    """How many examples a test runs: `ci` under `make test`, many more under `make fuzz`."""
    return ci * FUZZ_FACTOR if FUZZ else ci


class Hang(BaseException):
    """Raised by the alarm inside the code under test. A BaseException, so that no
    `except Exception` in a reader swallows it."""


class TookTooLong(AssertionError):
    """The code under test ran past its hard time limit: a hang."""


@contextmanager
def time_limit(seconds: float, what: str) -> Iterator[None]:
    """Interrupt the block after `seconds` (SIGALRM: the regex engine checks for signals, so a
    backtracking pattern is stopped too) and fail with `TookTooLong`."""

    def ring(signum: int, frame: FrameType | None) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except Hang:
        raise TookTooLong(f"{what} still running after {seconds} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def forget_parsed_pages() -> None:
    """Empty the readers' caches of parsed files (`claim` and `read` share one parse), so that
    Hypothesis, replaying an example to confirm a failure, meets a hang again."""
    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("builder.readers."):
            for value in vars(module).values():
                clear = getattr(value, "cache_clear", None)
                if callable(clear):
                    clear()


def decoded(data: bytes, name: str, root: Path) -> SourceFile | None:
    """The file as the build decodes it (BOM, line endings, mojibake repaired), by writing it
    into the empty folder `root` and discovering it; None when discovery skips it (binary)."""
    for child in root.iterdir():
        if child.is_dir():
            shutil.rmtree(child)
        else:
            child.unlink()
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    files, _ = discover((root,))
    forget_parsed_pages()
    return files[0] if files else None


def visible(text: str) -> bool:
    """Whether the text shows anything: not only spaces, control or zero-width characters."""
    return any(
        not ch.isspace() and unicodedata.category(ch) not in ("Cc", "Cf", "Zs", "Zl", "Zp")
        for ch in text
    )


def empty_sides(card: Card) -> list[str]:
    """What is empty on a card as a reader made it (Markdown); [] when nothing is."""
    content = card.content
    problems = []
    if isinstance(content, QA):
        if not visible(content.front):
            problems.append("empty front")
        if not visible(content.back):
            problems.append("empty back")
    elif isinstance(content, Cloze):
        deletions = ANKI_CLOZE_RE.findall(content.text)
        if not deletions:
            problems.append("cloze without a {{cN::…}} deletion")
        shown = {number for number, text, _ in deletions if visible(text)}
        blank = sorted({number for number, _, _ in deletions} - shown)
        if blank:
            problems.append(f"cloze c{', c'.join(blank)} with nothing to recall")
        if any(int(number) < 1 for number, _, _ in deletions):
            problems.append("cloze numbered c0 (Anki makes no card for it)")
    elif isinstance(content, MultipleChoice):
        if not visible(content.question):
            problems.append("empty question")
        if len(content.choices) < 2:
            problems.append(f"{len(content.choices)} choice(s)")
        if not any(choice.correct for choice in content.choices):
            problems.append("no right answer")
        if any(not visible(choice.text) for choice in content.choices):
            problems.append("an empty choice")
    return problems


def check_every_reader(source: SourceFile, seconds: float = READ_SECONDS) -> int:
    """Every reader claims the file without raising (the build calls `claim` outside its
    try), and every reader that claims it reads it without raising, in time, into cards with
    no exception. Returns how many cards the readers made."""
    made = 0
    for name, reader in READERS.items():
        where = f"{name}.claim({source.display_path!r})"
        try:
            with time_limit(seconds, where):
                score = reader.claim(source)
        except Exception as error:
            error.add_note(where)
            raise
        if score <= 0:
            continue
        where = f"{name}.read({source.display_path!r})"
        try:
            with time_limit(seconds, where):
                result = reader.read(source, CONTEXT)
        except Exception as error:
            error.add_note(where)
            raise
        # A card with an empty side may leave a reader: the file stage must then leave it
        # out with a diagnostic (`check_file_stage`), which is what a user would see.
        made += len(result.cards)
    return made


def html_shows_something(html: str) -> bool:
    """Whether a rendered field shows anything: text, an image or math."""
    soup = BeautifulSoup(html, "html.parser")
    return visible(soup.get_text()) or soup.find("img") is not None


def empty_fields(card: TaggedCard) -> list[str]:
    """The note fields a user would see empty, after rendering and sanitizing."""
    fields = card.rendered.fields
    content = card.card.content
    problems = []
    for n, value in enumerate(fields):
        if "\x1f" in value:
            problems.append(f"field {n} holds \\x1f, Anki's field separator")
    if isinstance(content, QA):
        if not html_shows_something(fields[0]):
            problems.append("Front shows nothing")
        if not html_shows_something(fields[1]):
            problems.append("Back shows nothing")
    elif isinstance(content, Cloze):
        deletions = ANKI_CLOZE_RE.findall(fields[0])
        shown = {number for number, text, _ in deletions if html_shows_something(text)}
        if not deletions or {number for number, _, _ in deletions} - shown:
            problems.append("Text has a cloze number with nothing to recall")
    elif isinstance(content, MultipleChoice):
        if not html_shows_something(fields[0]):
            problems.append("Question shows nothing")
        choices = BeautifulSoup(fields[1], "html.parser").find_all(class_="choice-text")
        if len(choices) < 2 or not all(html_shows_something(str(c)) for c in choices):
            problems.append("Choices has fewer than two choices that show something")
        if not fields[2].strip():
            problems.append("Answer is empty")
    return problems


def check_file_stage(worker: FileWorker, source: SourceFile, seconds: float = READ_SECONDS) -> None:
    """The file's read → render → tag stage does not raise, hang or report a failed reader,
    and every note field a user sees shows something."""
    reader = choose_reader(source)
    where = f"file stage ({reader.name if reader else 'no reader'}) on {source.display_path!r}"
    with time_limit(seconds, where):
        outcome = worker.process(source)
    failed = [str(d) for d in outcome.diagnostics if d.code == "reader-failed"]
    assert not failed, failed
    # Nothing is dropped silently: a card read and not kept is reported at its line.
    read, _ = read_file(source, CONTEXT)
    left_out = [d for d in outcome.diagnostics if d.code in ("blank-side", "card-failed")]
    assert len(read) == len(outcome.cards) + len(left_out), f"{where}: a card went missing"
    for as_read in read:
        if empty_sides(as_read):
            assert any(d.line == as_read.source.line for d in left_out), (
                f"{where}: {', '.join(empty_sides(as_read))} kept or lost without a word: "
                f"{as_read.content!r}"
            )
    for card in outcome.cards:
        problems = empty_fields(card)
        assert not problems, f"{where}: {', '.join(problems)}: {card.rendered.fields!r}"
