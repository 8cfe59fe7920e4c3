"""Changelog writer: `<deck-slug>-<version>.changelog.md`, the cards a version added,
changed, moved and retired, written from the lock file so it can always be written again."""

from __future__ import annotations

from pathlib import Path

from builder.lock import Lock
from builder.outputs import same_bytes, write_atomically
from builder.release import DeckRelease
from builder.writers.apkg import slugify


def changelog(release: DeckRelease, lock: Lock) -> str:
    """The release's changes in Markdown: added, changed, moved and retired cards."""
    notes = release.by_guid

    def line(guid: str) -> str:
        note = notes.get(guid)
        entry = lock.cards.get(guid)
        front = note.front if note else entry.front if entry else guid
        source = note.source if note else entry.source if entry else "?"
        return f"- {front[:120]} ({source})"

    since = f" (since {release.previous})" if release.previous else " (first release)"
    parts = [f"# {release.deck} {release.version}{since}", ""]
    sections = [
        ("Added", release.added, ""),
        ("Changed", release.changed, ""),
        (
            "Moved to another deck",
            release.moved,
            "Anki keeps these cards in their old deck in collections that already have them.",
        ),
        (
            "Retired",
            release.retired,
            "Removed from the notes. They are tagged `retired`: search `tag:retired` in "
            "Anki's browser to review and delete them.",
        ),
    ]
    for title, guids, note in sections:
        if not guids:
            continue
        parts += [f"## {title} ({len(guids)})", ""]
        if note:
            parts += [note, ""]
        parts += [line(guid) for guid in guids] + [""]
    if release.previous is None:
        live = sum(not note.retired for note in release.notes)
        parts += [f"{live} cards.", ""]
    elif not any(guids for _, guids, _ in sections):
        parts += ["No card changed; the note types did.", ""]
    return "\n".join(parts)


def changelog_path(out_dir: Path, release: DeckRelease) -> Path:
    return out_dir / f"{slugify(release.deck)}-{release.version}.changelog.md"


def write_changelog(release: DeckRelease, lock: Lock, out_dir: Path) -> Path:
    """Write the release's changelog unless the file already says the same."""
    path = changelog_path(out_dir, release)
    data = changelog(release, lock).encode("utf-8")
    if not same_bytes(path, data):
        out_dir.mkdir(parents=True, exist_ok=True)
        write_atomically(path, data)
    return path
