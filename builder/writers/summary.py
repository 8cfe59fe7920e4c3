"""What `report` and `diff` print: the report's figures and the next versions' changes, as
plain text for a terminal and as Markdown for a CI job summary."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from builder.release import DeckRelease

TOP = 10
"""Services and sources listed per deck; the rest are counted."""
CHANGE_KINDS = ("added", "changed", "moved", "retired")


def _ranked(counts: Mapping[str, int], limit: int | None = None) -> list[tuple[str, int]]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked if limit is None else ranked[:limit]


def _deck_tables(deck: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, int]], int]]:
    """(title, rows, rows left out) for each breakdown of a deck."""
    tables = []
    for title, key, limit in (
        ("kind", "by_kind", None),
        ("domain", "by_domain", None),
        ("service", "by_service", TOP),
        ("subdeck", "by_subdeck", TOP),
        ("source", "by_source", TOP),
    ):
        counts: Mapping[str, int] = deck[key]
        rows = _ranked(counts, limit)
        tables.append((title, rows, len(counts) - len(rows)))
    return tables


def _version(deck: Mapping[str, Any]) -> str:
    if deck["previous_version"]:
        return f"{deck['version']} (from {deck['previous_version']})"
    return f"{deck['version']} (first release)"


def report_text(report: Mapping[str, Any]) -> str:
    """The report for a terminal."""
    lines = []
    for deck in report["decks"]:
        lines.append(
            f"{deck['deck']}: {deck['notes']} notes, version {_version(deck)}, "
            f"{deck['merged_duplicates']} duplicates merged, "
            f"{deck['unclassified']} without a domain"
        )
        for title, rows, rest in _deck_tables(deck):
            cells = ", ".join(f"{name} {count}" for name, count in rows)
            more = f", and {rest} more" if rest else ""
            lines.append(f"  by {title}: {cells or 'none'}{more}")
    counts = report["diagnostic_counts"]
    lines.append("diagnostics: " + (", ".join(f"{n} {s}" for s, n in counts.items()) or "none"))
    return "\n".join(lines) + "\n"


def report_markdown(report: Mapping[str, Any]) -> str:
    """The report as Markdown tables."""
    lines = ["## Decks", ""]
    for deck in report["decks"]:
        lines += [
            f"### {deck['deck']} {_version(deck)}",
            "",
            f"{deck['notes']} notes; {deck['merged_duplicates']} duplicates merged; "
            f"{deck['unclassified']} without a domain.",
            "",
        ]
        for title, rows, rest in _deck_tables(deck):
            lines += [f"| {title} | notes |", "|---|---:|"]
            lines += [f"| {_cell(name)} | {count} |" for name, count in rows]
            if rest:
                lines.append(f"| *{rest} more* | |")
            lines.append("")
    counts = report["diagnostic_counts"]
    lines += [
        "### Diagnostics",
        "",
        ", ".join(f"{n} {s}" for s, n in counts.items()) or "None.",
        "",
    ]
    return "\n".join(lines)


def diff_data(releases: Sequence[DeckRelease], versions: Mapping[str, str]) -> dict[str, Any]:
    """Each deck's next version and its changes; `versions` are the lock file's."""
    decks = []
    for release in releases:
        current = versions.get(release.deck)
        if current == release.version:
            decks.append({"deck": release.deck, "version": current, "unchanged": True})
            continue
        notes = release.by_guid
        entry: dict[str, Any] = {
            "deck": release.deck,
            "from": current,
            "to": release.version,
            "unchanged": False,
        }
        for kind in CHANGE_KINDS:
            guids: Sequence[str] = getattr(release, kind)
            entry[kind] = [
                {"guid": g, "front": notes[g].front, "source": notes[g].source}
                if g in notes
                else {"guid": g, "front": "", "source": ""}
                for g in guids
            ]
        if current is None:
            entry["added"] = [
                {"guid": n.guid, "front": n.front, "source": n.source}
                for n in release.notes
                if not n.retired
            ]
        decks.append(entry)
    return {"decks": decks}


def _counts(entry: Mapping[str, Any]) -> str:
    return ", ".join(f"{len(entry[k])} {k}" for k in CHANGE_KINDS if entry[k]) or "note types"


def diff_text(data: Mapping[str, Any]) -> str:
    """The changes for a terminal: a line per deck, a line per card."""
    lines = []
    for deck in data["decks"]:
        if deck["unchanged"]:
            lines.append(f"{deck['deck']}: unchanged at {deck['version']}")
            continue
        start = deck["from"] or "nothing"
        lines.append(f"{deck['deck']}: {start} → {deck['to']}: {_counts(deck)}")
        for kind in CHANGE_KINDS:
            mark = {"added": "+", "changed": "~", "moved": ">", "retired": "-"}[kind]
            lines += [f"  {mark} {c['front'][:100]} ({c['source']})" for c in deck[kind]]
    return "\n".join(lines) + "\n"


def diff_markdown(data: Mapping[str, Any]) -> str:
    """The changes as Markdown, each kind of change folded away under its count."""
    lines = ["## Next versions", ""]
    for deck in data["decks"]:
        if deck["unchanged"]:
            lines += [f"- **{deck['deck']}**: unchanged at {deck['version']}", ""]
            continue
        start = deck["from"] or "first release"
        lines += [f"### {deck['deck']}: {start} → {deck['to']} ({_counts(deck)})", ""]
        for kind in CHANGE_KINDS:
            if not deck[kind]:
                continue
            lines += [f"<details><summary>{len(deck[kind])} {kind}</summary>", ""]
            lines += [f"- {_cell(c['front'][:100])} ({_cell(c['source'])})" for c in deck[kind]]
            lines += ["", "</details>", ""]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """Text safe inside a Markdown table or list: no pipes, no HTML."""
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
