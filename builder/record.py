"""Records: frozen dataclasses that pickle fast."""

from __future__ import annotations


class Record:
    """Base of the model's records: pickled as their field values, so the build cache loads
    fast (the dataclass default re-reads the field list for every object it unpickles)."""

    __slots__ = ()

    def __reduce__(self) -> tuple[type, tuple[object, ...]]:
        return type(self), tuple(getattr(self, name) for name in self.__dataclass_fields__)  # type: ignore[attr-defined]
