"""Reading the lock file's card lines: the fast path for a well-formed line must take what
`LockedCard.from_json` takes and refuse what it refuses, and make the same card."""

from __future__ import annotations

import dataclasses
import json
import pickle
from pathlib import Path

import pytest

from builder.lock import HEADER_KEY, LOCK_FORMAT, Lock, LockedCard, LockError

HEADER = json.dumps({HEADER_KEY: LOCK_FORMAT, "decks": {}})
CARD: dict[str, object] = {
    "back": "a unit of capacity",
    "context": "Kinesis › Streams",
    "deck": "AWS",
    "digest": "d1",
    "fields": ["What is a shard?", "A unit of capacity", "", "a.md:1"],
    "front": "what is a shard",
    "guid": "g1",
    "kind": "basic",
    "mod": 100,
    "source": "a.md:1",
    "tags": ["domain::modeling"],
}
WRONG_VALUES: tuple[object, ...] = (
    None, "", "x", 0, -1, 7, 1 << 63, True, 1.5, [], ["x"], ["x", 1], {},
)  # fmt: skip


def parsed(card: object) -> LockedCard | str:
    """The card `Lock.parse` reads from a lock holding this one line, or its error."""
    line = json.dumps(card, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    try:
        lock = Lock.parse(f"{HEADER}\n{line}\n".encode(), Path("deck.lock"))
    except LockError as error:
        return str(error)
    (read,) = lock.cards.values()
    assert type(read) is LockedCard and bytes(read.line or b"") == line.encode()
    return read


def expected(card: object) -> LockedCard | str:
    """What `LockedCard.from_json`, which checks one key at a time, makes of it."""
    try:
        return LockedCard.from_json(card, "deck.lock:2")
    except LockError as error:
        return str(error)


def test_a_card_line_is_read_as_from_json_reads_it_whatever_its_keys_hold() -> None:
    assert parsed(CARD) == expected(CARD) and isinstance(parsed(CARD), LockedCard)
    variants: list[object] = [[], "card", 3, None]
    for key in [*CARD, "media", "marker", "retired"]:
        variants.append({k: v for k, v in CARD.items() if k != key})
        variants += [{**CARD, key: value} for value in WRONG_VALUES]
    for card in variants:
        assert parsed(card) == expected(card), card


def test_a_card_read_on_the_fast_path_is_a_frozen_locked_card_like_any_other() -> None:
    card = parsed({**CARD, "media": ["a.png"], "marker": "m1", "retired": "1.0.0"})
    assert isinstance(card, LockedCard)
    assert card == expected({**CARD, "media": ["a.png"], "marker": "m1", "retired": "1.0.0"})
    assert hash(card) == hash(dataclasses.replace(card))
    assert pickle.loads(pickle.dumps(dataclasses.replace(card))) == card
    with pytest.raises(dataclasses.FrozenInstanceError):
        card.guid = "other"  # type: ignore[misc]


def test_cards_joined_on_one_line_and_split_over_two_are_named_not_read() -> None:
    """Together they make as many values as lines, but no line is a card's: the first line
    that is not one card is named."""
    a, b = (json.dumps({**CARD, "guid": g}, sort_keys=True) for g in ("ga", "gb"))
    c = json.dumps({**CARD, "guid": "gc"}, sort_keys=True, separators=(",", ":"))
    split = c.index(',"deck"')
    text = f"{HEADER}\n{a},{b}\n{c[:split]}\n{c[split + 1 :]}\n"
    assert len(json.loads(f"[{text.split(chr(10), 1)[1].rstrip().replace(chr(10), ',')}]")) == 3
    with pytest.raises(LockError, match=r"deck.lock:2: not valid JSON"):
        Lock.parse(text.encode(), Path("deck.lock"))
