"""Records: frozen dataclasses that pickle fast."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

_VALUES: dict[type, Callable[[Any], tuple[object, ...]]] = {}
"""Per record class: what gives a record's field values as a tuple, in field order."""


def _values_of(cls: type) -> Callable[[Any], tuple[object, ...]]:
    """An `attrgetter` of the class's fields (one C call a record, where a generator over the
    field names cost three times as much: pickling a file's outcome reduces ~450 records)."""
    names = tuple(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    if len(names) == 1:  # `attrgetter` of one name gives the value, not a tuple
        (name,) = names
        return lambda record: (getattr(record, name),)
    getter: Callable[[Any], tuple[object, ...]] = attrgetter(*names)
    return getter


class Record:
    """Base of the model's records: pickled as their field values, so the build cache loads
    fast (the dataclass default re-reads the field list for every object it unpickles)."""

    __slots__ = ()

    def __reduce_ex__(self, protocol: object) -> tuple[type, tuple[object, ...]]:
        # `__reduce_ex__` rather than `__reduce__`: pickle asks for it first, and `object`'s
        # would only look up and call `__reduce__`.
        cls = type(self)
        try:
            values = _VALUES[cls]
        except KeyError:
            values = _VALUES[cls] = _values_of(cls)
        return cls, values(self)

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return self.__reduce_ex__(None)
