"""A corpus of hostile inputs of every kind builds without a crash into a harmless package.

Every field of the built package is parsed: nothing may run (no script, frame, object, style
block, event handler, `javascript:` or `data:` URL) or load from the network, and every media
file in the package must be a file from inside the source and media folders.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import zipfile
from pathlib import Path

import pytest
from anki.collection import Collection
from bs4 import BeautifulSoup, Tag

from builder.pipeline import BuildConfig, BuildResult, build
from tests.anki_import import import_package, imported_notes
from tests.conftest import FIXTURES

CORPUS = FIXTURES / "hostile"
FORBIDDEN_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "style",
    "svg",
    "form",
    "link",
    "meta",
    "base",
    "frame",
    "input",
    "audio",
    "video",
}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    root = tmp_path_factory.mktemp("hostile")
    notes = root / "notes"
    shutil.copytree(CORPUS, notes)
    # Generated here rather than committed: a 50 MB note and a list nested 1,000 deep.
    with (notes / "huge.md").open("w") as huge:
        line = "- **Term**: " + "x" * 100 + "\n"
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            huge.write(line)
    (notes / "nested.md").write_text(
        "# Deep\n## Nested\n" + "".join("  " * n + f"- level {n}\n" for n in range(3000))
    )
    outside = root / "outside.png"
    outside.write_bytes(b"\x89PNG secret outside the roots")
    (notes / "media" / "link.png").symlink_to(outside)
    (notes / "escape.md").write_text("# Escape\n## Via symlink\nSee ![x](media/link.png) here.\n")
    result = build(BuildConfig((notes,), (notes / "media",), root / "dist", default_deck="Hostile"))
    return result, notes


def package_fields_and_media(package: Path) -> tuple[list[str], dict[str, bytes]]:
    with zipfile.ZipFile(package) as archive:
        names = json.loads(archive.read("media"))
        media = {name: archive.read(number) for number, name in names.items()}
        collection = archive.read("collection.anki2")
    db_path = package.with_suffix(".anki2")
    db_path.write_bytes(collection)
    with sqlite3.connect(db_path) as db:
        fields = [f for (flds,) in db.execute("select flds from notes") for f in flds.split("\x1f")]
    return fields, media


def test_build_survives_and_reports(hostile: tuple[BuildResult, Path]) -> None:
    result, _ = hostile
    assert not result.failed
    assert len(result.notes) >= 10
    codes = {d.code for d in result.diagnostics}
    assert {"binary-file", "file-too-large", "missing-media", "remote-media"} <= codes
    messages = " ".join(d.message for d in result.diagnostics)
    assert "SVG with script" in messages and "outside the source and media folders" in messages


def test_no_field_can_run_or_load_anything(hostile: tuple[BuildResult, Path]) -> None:
    result, _ = hostile
    (package,) = result.packages
    fields, media = package_fields_and_media(package.path)
    for field in fields:
        soup = BeautifulSoup(field, "html.parser")
        for tag in soup.find_all(True):
            assert isinstance(tag, Tag)
            assert tag.name not in FORBIDDEN_TAGS, field
            for attribute, value in tag.attrs.items():
                assert not attribute.lower().startswith("on"), field
                assert attribute.lower() != "style", field
                if attribute in ("href", "src"):
                    assert not str(value).strip().lower().startswith(("javascript:", "data:"))
            if tag.name == "img":
                assert tag.get("src") in media, field


def test_every_packaged_file_comes_from_inside_the_roots(
    hostile: tuple[BuildResult, Path],
) -> None:
    result, notes = hostile
    (package,) = result.packages
    _, media = package_fields_and_media(package.path)
    inside = {
        hashlib.sha256(p.read_bytes()).hexdigest()
        for p in notes.rglob("*")
        if p.is_file() and not p.is_symlink()
    }
    for name, data in media.items():
        assert hashlib.sha256(data).hexdigest() in inside, name
        assert b"<script" not in data.lower()


def test_package_imports_into_anki(
    hostile: tuple[BuildResult, Path], collection: Collection
) -> None:
    result, _ = hostile
    import_package(collection, result.packages[0].path)
    assert len(imported_notes(collection)) == len(result.notes)
