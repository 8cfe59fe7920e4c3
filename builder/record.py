"""Records: frozen dataclasses that pickle fast."""

from __future__ import annotations

from collections.abc import Callable
from types import MemberDescriptorType
from typing import Any

_UNPICKLERS: dict[type, Callable[..., Any]] = {}


def _make_unpickler(cls: type) -> Callable[..., Any]:
    """A function that makes a `cls` from its field values, in field order.

    A frozen dataclass's `__init__` sets each field through `object.__setattr__`; the slots'
    own setters, called from straight-line code made once per class, make a record about a
    fifth faster. Loading a large tree's cached cards makes millions of records (100k cards:
    0.67 s -> 0.57 s to unpickle)."""
    names = list(cls.__dataclass_fields__)  # type: ignore[attr-defined]
    setters: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    for index, name in enumerate(names):
        slot = next(klass.__dict__[name] for klass in cls.__mro__ if name in klass.__dict__)
        assert isinstance(slot, MemberDescriptorType), (cls, name)  # records have slots
        setters[f"_set{index}"] = slot.__set__
    values = ", ".join(f"v{index}" for index in range(len(names)))
    lines = [f"def _unpickle({values}):", "    record = _new(_cls)"]
    lines += [f"    _set{index}(record, v{index})" for index in range(len(names))]
    lines.append("    return record")
    exec("\n".join(lines), setters)  # the code is made from the number of fields only
    unpickle: Callable[..., Any] = setters["_unpickle"]
    # Pickled by reference as `<module>.<Class>._unpickle`, which `_Unpickler` resolves.
    unpickle.__module__ = cls.__module__
    unpickle.__qualname__ = f"{cls.__qualname__}._unpickle"
    return unpickle


class _Unpickler:
    """`Record._unpickle`: each record class's own unpickler, made the first time it is asked
    for (the class `dataclass(slots=True)` returns is a new one: no hook sees it made)."""

    def __get__(self, instance: object, owner: type) -> Callable[..., Any]:
        unpickle = _UNPICKLERS.get(owner)
        if unpickle is None:
            unpickle = _UNPICKLERS[owner] = _make_unpickler(owner)
        return unpickle


class Record:
    """Base of the model's records: pickled as their field values, so the build cache loads
    fast (the dataclass default re-reads the field list for every object it unpickles)."""

    __slots__ = ()

    _unpickle = _Unpickler()

    def __reduce__(self) -> tuple[Callable[..., Any], tuple[object, ...]]:
        fields = self.__dataclass_fields__  # type: ignore[attr-defined]
        return type(self)._unpickle, tuple(getattr(self, name) for name in fields)
