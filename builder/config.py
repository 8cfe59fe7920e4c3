"""Configuration from `[tool.builder]` in `pyproject.toml`, checked key by key.

Every key has a documented default; an unknown key or a value of the wrong type is an error
that names the key and the file, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from builder.diagnostics import Severity, UsageError

CONFIG_FILE = "pyproject.toml"
SECTION = ("tool", "builder")
IGNORE = "ignore"
"""A level for `[tool.builder.checks]` that drops a diagnostic altogether."""
LEVELS = (IGNORE, *(s.value for s in Severity))


class ConfigError(UsageError):
    """The configuration file asks for something impossible; names the key and the file."""


@dataclass(frozen=True, slots=True)
class Settings:
    """What `[tool.builder]` says; None where it says nothing (the command line's default)."""

    file: Path | None = None
    """The file these came from; None when there was none."""
    sources: tuple[Path, ...] | None = None
    """`sources = ["source_notes"]`: folders of notes (default `source_notes`)."""
    media: tuple[Path, ...] | None = None
    """`media = ["media"]`: folders of images (default `media` when it exists)."""
    out: Path | None = None
    """`out = "dist"`: where packages and reports go (default `dist`)."""
    deck: str | None = None
    """`deck = "Notes"`: deck of files whose frontmatter names none (default `Notes`)."""
    lock: Path | None = None
    """`lock = "source_notes/deck.lock"` (default: `deck.lock` in the first source folder)."""
    taxonomy: Path | None = None
    """`taxonomy = "taxonomy.json"` (default: the built-in AWS ML Specialty taxonomy)."""
    strict: bool | None = None
    """`strict = true`: warnings fail the build (default false)."""
    subdecks_by_domain: bool | None = None
    """`subdecks_by_domain = true`: a card of a deck without subdecks goes into a subdeck
    named after its exam domain, `Deck::Modeling` (default false)."""
    jobs: int | None = None
    """`jobs = 2`: worker processes (default: one per core)."""
    checks: Mapping[str, str] = field(default_factory=dict)
    """`[tool.builder.checks]`: diagnostic code → `ignore`, `info`, `warning` or `error`."""


def find_config(explicit: Path | None, cwd: Path) -> Path | None:
    """The file to read: the one named, else `pyproject.toml` here when it has the section."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"configuration file '{explicit}' does not exist")
        return explicit
    candidate = cwd / CONFIG_FILE
    return candidate if candidate.is_file() else None


def load_settings(path: Path | None) -> Settings:
    """The `[tool.builder]` settings of the file; empty settings when it has none."""
    if path is None:
        return Settings()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    section: Any = data
    for name in SECTION:
        section = section.get(name) if isinstance(section, dict) else None
    if section is None:
        return Settings(file=path)
    return _parse(section, path)


def _parse(section: Any, path: Path) -> Settings:
    where = "[tool.builder]"
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: {where} must be a table")
    base = path.parent
    reader = _Reader(section, path, where)
    settings = Settings(
        file=path,
        sources=reader.paths("sources", base),
        media=reader.paths("media", base),
        out=reader.path("out", base),
        deck=reader.text("deck"),
        lock=reader.path("lock", base),
        taxonomy=reader.path("taxonomy", base),
        strict=reader.flag("strict"),
        subdecks_by_domain=reader.flag("subdecks_by_domain"),
        jobs=reader.count("jobs"),
        checks=reader.checks("checks"),
    )
    unknown = sorted(set(section) - reader.known)
    if unknown:
        known = ", ".join(sorted(reader.known))
        raise ConfigError(f"{path}: {where}: unknown key '{unknown[0]}' (known keys: {known})")
    return settings


class _Reader:
    """Takes typed values out of the section, remembering which keys it knows."""

    def __init__(self, section: dict[str, Any], path: Path, where: str) -> None:
        self.section, self.file, self.where = section, path, where
        self.known: set[str] = set()

    def _get(self, key: str) -> Any:
        self.known.add(key)
        return self.section.get(key)

    def _fail(self, key: str, wanted: str, value: Any) -> ConfigError:
        return ConfigError(f"{self.file}: {self.where} {key}: expected {wanted}, got {value!r}")

    def text(self, key: str) -> str | None:
        value = self._get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self._fail(key, "a non-empty string", value)
        return value

    def path(self, key: str, base: Path) -> Path | None:
        value = self.text(key)
        return None if value is None else base / value

    def paths(self, key: str, base: Path) -> tuple[Path, ...] | None:
        value = self._get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [value]
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise self._fail(key, "a folder or a list of folders", value)
        return tuple(base / v for v in value)

    def flag(self, key: str) -> bool | None:
        value = self._get(key)
        if value is not None and not isinstance(value, bool):
            raise self._fail(key, "true or false", value)
        return value

    def count(self, key: str) -> int | None:
        value = self._get(key)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, int) or value < 1
        ):
            raise self._fail(key, "a whole number of 1 or more", value)
        return value

    def checks(self, key: str) -> dict[str, str]:
        value = self._get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self._fail(key, "a table of diagnostic code = level", value)
        for code, level in value.items():
            if level not in LEVELS:
                raise ConfigError(
                    f"{self.file}: {self.where} checks.{code}: expected one of "
                    f"{', '.join(LEVELS)}, got {level!r}"
                )
        return dict(sorted(value.items()))
