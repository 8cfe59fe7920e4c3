"""The deck-wide MinHash helpers give exactly what the one-card ones, or the definitions, give."""

from __future__ import annotations

import numpy as np
import pytest

from builder.model import CardKind
from builder.transforms import minhash
from builder.transforms.dedupe import (
    LSH_ROWS,
    _among,
    _candidates,
    _group_numbers,
    _rare_pairs,
    _spread,
)
from builder.transforms.minhash import (
    PERMUTATIONS,
    candidate_pairs,
    signature_matrix,
    signature_of_hashes,
)


def test_signature_matrix_rows_are_each_sets_signature() -> None:
    rng = np.random.default_rng(7)
    extremes = np.array([0, 1, 2, (1 << 31) - 1, 1 << 31, (1 << 32) - 2, (1 << 32) - 1])
    sets = [np.unique(extremes).astype(np.uint64), np.zeros(0, dtype=np.uint64)]
    for size in [*rng.integers(0, 40, size=300), 0, 1, 5000, 0]:
        sets.append(np.unique(rng.integers(0, 1 << 32, size=size, dtype=np.uint64)))
    sizes = np.array([s.size for s in sets])
    flat = np.concatenate(sets).astype(np.uint32)
    for chunk in (1, 64, 2048, 8192):
        rows = signature_matrix(flat, sizes, chunk=chunk)
        assert rows.shape == (len(sets), PERMUTATIONS)
        for row, hashes in zip(rows, sets, strict=True):
            assert row.tolist() == signature_of_hashes(hashes).tolist()


def test_permute_is_the_remainder_even_where_the_fold_reaches_p(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # With the real permutations, a * h + b whose folded value is p or more is too rare to
    # meet; these make a * h + b equal p, p + 1, 2p, 2**64 - 1 and the like.
    prime = (1 << 61) - 1
    targets = [prime, prime + 1, prime + 7, 2 * prime, 3 * prime + 5, (1 << 64) - 1, 0, 5]
    targets += [prime - 1, 1 << 61, 7 * prime + 6, (1 << 63) + 12345]
    hashes = np.array([0, 1, 2, (1 << 32) - 1], dtype=np.uint32)
    pick = np.arange(PERMUTATIONS) % len(targets)
    a = np.full(PERMUTATIONS, 1, dtype=np.uint64)
    b = np.array([max(0, targets[k] - ((1 << 32) - 1)) for k in pick], dtype=np.uint64)
    monkeypatch.setattr(minhash, "_A", a)
    monkeypatch.setattr(minhash, "_B", b)
    out = np.empty((PERMUTATIONS, hashes.size), dtype=np.uint64)
    permuted = minhash._permute(hashes, out, np.empty_like(out))
    expected = [[(1 * h + int(bk)) % prime for h in hashes.tolist()] for bk in b.tolist()]
    assert permuted.tolist() == expected
    # Values short of p take the path without the correction: still the remainder.
    small = np.full(PERMUTATIONS, 3, dtype=np.uint64)
    monkeypatch.setattr(minhash, "_B", small)
    permuted = minhash._permute(hashes, out, np.empty_like(out))
    assert permuted.tolist() == [[(h + 3) % prime for h in hashes.tolist()]] * PERMUTATIONS


def test_signature_matrix_of_no_sets() -> None:
    empty = signature_matrix(np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.intp))
    assert empty.shape == (0, PERMUTATIONS)


def _rare_pairs_by_definition(hashes: list[np.ndarray], limit: int) -> list[list[int]]:
    cards_with: dict[int, int] = {}
    for card in hashes:
        for value in card.tolist():
            cards_with[value] = cards_with.get(value, 0) + 1
    kept = [[v for v in card.tolist() if cards_with[v] <= limit] for card in hashes]
    return [k or card.tolist() for k, card in zip(kept, hashes, strict=True)]


def test_rare_pairs_leave_out_common_pairs_unless_a_card_has_no_other() -> None:
    rng = np.random.default_rng(3)
    for limit in (0, 1, 3, 10):
        hashes = [
            np.unique(rng.integers(0, 12, size=n, dtype=np.uint64))
            for n in rng.integers(0, 8, size=40)
        ]
        flat, sizes = _rare_pairs(hashes, limit)
        starts = np.cumsum(sizes) - sizes
        found = [flat[a : a + n].tolist() for a, n in zip(starts, sizes, strict=True)]
        assert found == _rare_pairs_by_definition(hashes, limit)
        # Some cards only: their pairs, still counted on every card.
        among = np.flatnonzero(rng.random(len(hashes)) < 0.5)
        flat, sizes = _rare_pairs(hashes, limit, among)
        starts = np.cumsum(sizes) - sizes
        found = [flat[a : a + n].tolist() for a, n in zip(starts, sizes, strict=True)]
        every = _rare_pairs_by_definition(hashes, limit)
        assert found == [every[n] for n in among.tolist()]
    flat, sizes = _rare_pairs([], 5)
    assert flat.size == sizes.size == 0
    flat, sizes = _rare_pairs([np.zeros(2, dtype=np.uint64)], 5, np.zeros(0, dtype=np.intp))
    assert flat.size == sizes.size == 0


def test_among_finds_exactly_the_chosen_values() -> None:
    rng = np.random.default_rng(5)
    for chosen_count in (0, 1, 50, 5000):
        values = rng.integers(0, 1 << 32, size=20_000, dtype=np.uint64).astype(np.uint32)
        chosen = np.unique(
            np.concatenate([rng.choice(values, chosen_count // 2), rng.integers(0, 1 << 32, 50)])
        ).astype(np.uint32)[:chosen_count]
        # Values sharing their low bits with a chosen one, and the extremes.
        crowd = (chosen[: chosen_count // 4] ^ np.uint32(1 << 31)).astype(np.uint32)
        values = np.concatenate([values, crowd, np.array([0, 1, 2**32 - 1], dtype=np.uint32)])
        chosen = np.unique(np.concatenate([chosen, crowd[::2]]))
        assert _among(values, chosen).tolist() == np.isin(values, chosen).tolist()


def test_candidate_pairs_are_the_pairs_agreeing_on_a_band_within_a_group() -> None:
    rng = np.random.default_rng(11)
    # Few distinct values, so that many pairs agree on some band; buckets of every size. The
    # values are hashes, as signatures and groups are: small ones could collide in the keys.
    values = rng.integers(0, 2**64 - 1, size=3, dtype=np.uint64)
    sigs = values[rng.integers(0, 3, size=(120, PERMUTATIONS))]
    groups = rng.integers(0, 2**64 - 1, size=2, dtype=np.uint64)[rng.integers(0, 2, size=120)]
    for rows in (2, 3, 4):
        expected = [
            (i, j)
            for i in range(120)
            for j in range(i + 1, 120)
            if groups[i] == groups[j]
            and any(
                (sigs[i, b * rows : (b + 1) * rows] == sigs[j, b * rows : (b + 1) * rows]).all()
                for b in range(PERMUTATIONS // rows)
            )
        ]
        assert candidate_pairs(sigs, groups, rows) == expected
    assert candidate_pairs(sigs[:0], groups[:0], 3) == []


def test_group_numbers_are_equal_exactly_for_one_kind_and_the_same_right_answers() -> None:
    kinds = [CardKind.BASIC, CardKind.MULTIPLE_CHOICE, CardKind.CLOZE, CardKind.REVERSED]
    answers = ["a", "b", "a | b", ""]
    cards = [
        (kind, ("stem " + str(n), answers[n % len(answers)], "every"))
        for n, kind in enumerate(kinds[(n * 7) % 4] for n in range(200))
    ]
    groups = _group_numbers([kind for kind, _ in cards], [sides for _, sides in cards])
    assert groups.dtype == np.intp

    # Questions and clozes by their right answers, other kinds by kind alone.
    def key(kind: CardKind, sides: tuple[str, ...]) -> object:
        answered = kind in (CardKind.MULTIPLE_CHOICE, CardKind.CLOZE)
        return (kind, sides[1]) if answered else kind

    for (kind_a, sides_a), group_a in zip(cards, groups.tolist(), strict=True):
        for (kind_b, sides_b), group_b in zip(cards, groups.tolist(), strict=True):
            assert (group_a == group_b) == (key(kind_a, sides_a) == key(kind_b, sides_b))


def test_spread_is_a_bijection_that_sends_neighbours_far_apart() -> None:
    values = np.arange(1 << 16, dtype=np.uint64)
    spread = _spread(values)
    assert np.unique(spread).size == values.size
    # SplitMix64's published first output for seed 0 (the state after one step).
    assert int(_spread(np.zeros(1, dtype=np.uint64))[0]) == 0xE220A8397B1DCDAF
    assert bin(int(spread[0]) ^ int(spread[1])).count("1") > 16


def test_candidates_are_those_of_every_card_though_lsh_skips_cards_alone_in_their_group() -> None:
    rng = np.random.default_rng(11)
    # Few distinct pair hashes, so that many cards agree on bands; copies of some cards.
    hashes = [np.unique(rng.integers(0, 60, size=rng.integers(0, 8))) for _ in range(300)]
    hashes += [hashes[n] for n in rng.integers(0, 300, size=100)]
    hashes = [h.astype(np.uint64) for h in hashes]
    # Most cards alone in their group, the others in five groups.
    groups = np.where(
        rng.random(len(hashes)) < 0.6, np.arange(len(hashes)), rng.integers(0, 5, len(hashes))
    ).astype(np.intp)
    for limit in (3, 20):
        kept, sizes = _rare_pairs(hashes, limit)
        keys = _spread(groups.astype(np.uint64))
        every = candidate_pairs(signature_matrix(kept, sizes), keys, LSH_ROWS)
        assert len(every) > 50
        assert _candidates(hashes, groups, limit) == every
    alone = np.arange(len(hashes), dtype=np.intp)
    assert _candidates(hashes, alone, 3) == []
    assert _candidates([], np.zeros(0, dtype=np.intp), 3) == []
