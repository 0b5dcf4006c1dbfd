"""`python -m ingest` with the real model: FAILED lines, the summary line, exit status, --list, --remove."""

import os
import re
import shutil
import subprocess
import sys

from tests.conftest import CORPORA, REPO

SUMMARY = re.compile(r"^indexed (\d+), unchanged (\d+), failed (\d+), removed (\d+); chunks \+(\d+) -(\d+); [\d.]+ s; [\d.]+ chunks/s$")


def ingest(tmp_path, *args):
    env = {**os.environ, "CAREWISE_STORE__PATH": str(tmp_path / "index")}
    return subprocess.run([sys.executable, "-m", "ingest", "--no-progress", *args], capture_output=True,
                          text=True, cwd=REPO, env=env, timeout=300)  # fmt: skip


def test_real_files_indexed_bad_ones_reported_second_run_unchanged(tmp_path):
    folder = tmp_path / "files"
    folder.mkdir()
    for name in ("001-trivial_minimal-document.pdf", "005-libreoffice-writer-password_libreoffice-writer-password.pdf",
                 "007-imagemagick-images_imagemagick-lzw.pdf", "021-pdfa_crazyones-pdfa.pdf"):  # fmt: skip
        shutil.copy(CORPORA / "real-pdfs" / name, folder)
    for name in ("test.docx", "doc-word-default-blank.docx", "par-hyperlinks.docx"):
        shutil.copy(CORPORA / "real-docx" / name, folder)
    first = ingest(tmp_path, str(folder))
    assert first.returncode == 1, first.stderr
    lines = first.stdout.strip().splitlines()
    failed = [line for line in lines if line.startswith("FAILED ")]
    assert len(failed) == 3 and all(": " in line for line in failed)
    assert any("encrypted" in line for line in failed) and any("no extractable text" in line for line in failed)
    assert SUMMARY.match(lines[-1]).groups()[:4] == ("4", "0", "3", "0")
    assert "Traceback" not in first.stderr

    second = ingest(tmp_path, str(folder))
    assert SUMMARY.match(second.stdout.strip().splitlines()[-1]).groups()[:5] == ("0", "4", "3", "0", "0")

    listing = ingest(tmp_path, "--list")
    assert listing.returncode == 0 and "021-pdfa-crazyones-pdfa" in listing.stdout and "4 documents" in listing.stdout
    removed = ingest(tmp_path, "--remove", "021-pdfa-crazyones-pdfa")
    assert removed.returncode == 0 and removed.stdout.startswith("removed 021-pdfa-crazyones-pdfa:")
    unknown = ingest(tmp_path, "--remove", "no-such-doc")
    assert unknown.returncode == 1 and unknown.stdout.startswith("FAILED no-such-doc:")


def test_if_needed_is_silent_when_nothing_changed_and_reindexes_an_edited_file(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    note = folder / "note.md"
    note.write_text("# Restraint\n\nStaff must record every use of restraint on the day it happens.\n")
    first = ingest(tmp_path, "--if-needed", str(folder))
    assert first.returncode == 0 and SUMMARY.match(first.stdout.strip().splitlines()[-1])
    quiet = ingest(tmp_path, "--if-needed", str(folder))
    assert quiet.returncode == 0 and quiet.stdout == ""
    note.write_text("# Restraint\n\nStaff must record every use of restraint and debrief the person.\n")
    edited = ingest(tmp_path, "--if-needed", str(folder))
    assert SUMMARY.match(edited.stdout.strip().splitlines()[-1]).groups()[:2] == ("1", "0")
