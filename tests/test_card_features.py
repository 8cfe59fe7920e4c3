"""The per-card features' fast paths give exactly what the plain definitions give."""

from __future__ import annotations

import itertools
import random

import numpy as np

from builder.transforms.dedupe import _normalize_unicode, normalize_text, pair_hashes
from builder.transforms.minhash import shingle_hashes

ASCII = [chr(code) for code in range(128)]
TRICKY = ["1", "9", "0", ",", ",", " ", "\t", "\n", "\x0b", "\x0c", "\x1c", "\x1f", "_", "-", "'"]


def _random_texts(alphabet: list[str], count: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choices(alphabet, k=rng.randint(0, 40))) for _ in range(count)]


def test_ascii_text_is_normalized_as_any_text_is() -> None:
    texts = [
        *ASCII,
        *(f"a{c}b 1{c}000 {c}" for c in ASCII),
        "500,000 and 1,000,000,5 but 1,00 and ,000 and x,000 and 1,0000 and 2,000a",
        "  Mixed\tCASE\n\nwords\x1cwith\x1fodd\x0bspaces\x0c ",
        *_random_texts([*ASCII, *TRICKY * 4, "ab", "CD"], 3000, seed=1),
    ]
    for text in texts:
        assert text.isascii()
        assert normalize_text(text) == _normalize_unicode(text), repr(text)


def test_other_text_keeps_the_full_normalization() -> None:
    for text in ("Straße ＡＢＣ", "café, 1,000 ½ ﬁ", "İstanbul ǅ", "\u00a0x\u2003y\u0085z"):
        assert normalize_text(text) == _normalize_unicode(text)
    assert normalize_text("Straße ＡＢＣ ﬁ") == "strasse abc fi"


def _pair_hashes_by_definition(sides: tuple[str, ...]) -> np.ndarray:
    """Each distinct word pair of the normalized text (its word, when it has one), hashed."""
    words = normalize_text(" ".join(sides)).split()
    if len(words) < 2:
        return shingle_hashes(frozenset(words))
    return shingle_hashes(frozenset(f"{a} {b}" for a, b in itertools.pairwise(words)))


def test_pair_hashes_are_the_hashed_word_pairs() -> None:
    cases: list[tuple[str, ...]] = [
        (),
        ("",),
        ("!!!", ""),
        ("one",),
        ("Amazon", "Athena"),
        ("a b a b a b", "a b"),
        ("Straße café", "naïve ÜBER 1,000"),
        ("What is RCF?", "Random Cut Forest | anomaly detection"),
        # Normalized one by one, sides must give the words of their joined text.
        ("1,", "000"),
        ("1", ",000"),
        ("1,000", "000,1"),
        ("e", "\u0301t\u00e9"),
        ("\u00a8", "\u0308a"),
        ("x\u0301", "\uff21B"),
        ("I", "\u0307s"),
        *(
            tuple(_random_texts(["w", "x", "é", "y ", " ", ",", "1", "ß", "\n"], 3, seed=n))
            for n in range(300)
        ),
    ]
    for sides in cases:
        found, expected = pair_hashes(sides), _pair_hashes_by_definition(sides)
        assert found.dtype == expected.dtype == np.uint64
        assert found.tolist() == expected.tolist(), sides
