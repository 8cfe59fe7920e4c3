"""The command line as a user runs it: exit codes, one-line errors, folders anywhere."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES
from tests.helpers import run_builder

VAULT = FIXTURES / "vault"


run = run_builder


def test_builds_a_folder_outside_the_repo(tmp_path: Path) -> None:
    notes = tmp_path / "elsewhere" / "notes"
    shutil.copytree(VAULT, notes)
    done = run("build", "--source", str(notes), "--out", str(tmp_path / "other"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    (package,) = (tmp_path / "other").glob("fixture-deck-*.apkg")
    report = json.loads((tmp_path / "other" / "build-report.json").read_text())
    assert report["decks"][0]["package"] == package.name
    assert f"wrote {package}" in done.stdout
    assert "decks/questions.md:20: warning[no-answer]:" in done.stderr


def test_missing_source_folder_is_a_one_line_error(tmp_path: Path) -> None:
    done = run("build", "--source", "nope", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "error: source folder 'nope' does not exist\n"
    assert not (tmp_path / "dist").exists()


def test_default_source_missing_is_also_a_usage_error(tmp_path: Path) -> None:
    done = run("build", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "error: source folder 'source_notes' does not exist\n",
    )


def test_bad_usage_exits_2() -> None:
    done = run("build", "--no-such-flag", cwd=FIXTURES)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert run(cwd=FIXTURES).returncode == 2


def test_strict_turns_warnings_into_exit_1(tmp_path: Path) -> None:
    done = run("build", "--source", str(VAULT), "--out", str(tmp_path), "--strict", cwd=tmp_path)
    assert done.returncode == 1
    assert "build failed" in done.stderr and not list(tmp_path.glob("*.apkg"))


def test_console_script_is_installed(tmp_path: Path) -> None:
    script = Path(sys.executable).parent / "anki-deck-builder"
    done = subprocess.run(
        [
            str(script),
            "build",
            "--source",
            str(VAULT),
            "--out",
            str(tmp_path),
            "--lock",
            str(tmp_path / "deck.lock"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert list(tmp_path.glob("fixture-deck-*.apkg"))


def test_another_subject_through_its_own_taxonomy(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "bio.md").write_text(
        "# Cells\n\n- Mitochondria: the organelle that makes ATP\n"
        "- Ribosome: where the cell builds proteins from mRNA\n",
        encoding="utf-8",
    )
    taxonomy = {
        "domains": [
            {"id": "cell-biology", "name": "Cell biology", "weight": 100, "aliases": ["Cells"]}
        ],
        "services": [
            {"id": "organelle::mitochondrion", "name": "Mitochondrion",
             "aliases": ["Mitochondria", "mitochondrion"], "domain": "cell-biology"}
        ],
    }  # fmt: skip
    (tmp_path / "bio.json").write_text(json.dumps(taxonomy), encoding="utf-8")
    done = run(
        "build", "--source", str(notes), "--out", str(tmp_path / "out"),
        "--taxonomy", str(tmp_path / "bio.json"), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads((tmp_path / "out" / "build-report.json").read_text())
    assert report["decks"][0]["by_domain"] == {"cell-biology": 2}
    assert report["decks"][0]["by_service"] == {"organelle::mitochondrion": 1}


def test_a_broken_taxonomy_is_a_one_line_error_naming_the_key(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "domains": [{"id": "a", "name": "A", "weight": 1, "aliases": []}],
                "services": [{"id": "x", "name": "X", "aliases": ["X"], "domain": "b"}],
            }
        ),
        encoding="utf-8",
    )
    done = run("build", "--source", str(VAULT), "--out", str(tmp_path), "--taxonomy", str(bad),
               cwd=tmp_path)  # fmt: skip
    assert (done.returncode, done.stderr) == (
        2,
        f"error: taxonomy file '{bad}': services[0].domain: 'b' is not a domain id\n",
    )
    bad.write_text('{"domains": [', encoding="utf-8")
    done = run("build", "--source", str(VAULT), "--out", str(tmp_path), "--taxonomy", str(bad),
               cwd=tmp_path)  # fmt: skip
    assert done.returncode == 2 and done.stderr.startswith(f"error: taxonomy file '{bad}': line 1")
    done = run("build", "--source", str(VAULT), "--taxonomy", "missing.json", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        2,
        "error: taxonomy file 'missing.json' does not exist\n",
    )


def test_the_build_never_writes_into_the_notes_except_the_lock_file(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(VAULT, notes)
    before = {p: p.read_bytes() for p in notes.rglob("*") if p.is_file()}
    done = run("build", "--source", str(notes), "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    after = {p: p.read_bytes() for p in notes.rglob("*") if p.is_file()}
    assert set(after) - set(before) == {notes / "deck.lock"}
    assert {p: after[p] for p in before} == before
    assert "version 1.0.0 (first release)" in done.stdout
