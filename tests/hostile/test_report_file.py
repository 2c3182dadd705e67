"""Issue 11, item 3 (and issue 12's --report rule): --report is checked before any AWS call and written
to a temporary file beside FILE, then renamed onto it. A regular file is replaced whole (a hard link to
the old one keeps the old text: a new file, not a rewrite); a symlink is replaced as a name and its
target, dangling or not, is never created or written; directories and special files are refused."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from kvsctl.errors import UsageError
from kvsctl.render.reports import check_report_path, write_text_atomic
from tests.helpers import run_cli


@pytest.fixture
def cam(faults: Any) -> Any:
    faults.clients().kvs.create_stream(StreamName="cam")
    faults.clear_counts()
    return faults


def audit(faults: Any, report: Path, *extra: str) -> Any:
    return run_cli(
        "audit", "stream", "cam", "--endpoint-url", faults.url, "-o", "json", "--report", str(report), *extra
    )


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_existing_report_is_replaced_by_a_new_file_not_rewritten(cam: Any, tmp_path: Path) -> None:
    report = tmp_path / "audit.json"
    report.write_text("old report\n")
    os.link(report, tmp_path / "kept")  # a rewrite in place would change this one too
    result = audit(cam, report)
    assert result.exit_code == 0, result.stderr
    assert json.loads(report.read_text())["ok"] is True
    assert (tmp_path / "kept").read_text() == "old report\n"
    assert leftovers(tmp_path) == []


def test_dangling_symlink_is_replaced_and_its_target_never_created(cam: Any, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere" / "planted.json"
    target.parent.mkdir()
    report = tmp_path / "audit.json"
    report.symlink_to(target)
    result = audit(cam, report)
    assert result.exit_code == 0, result.stderr
    assert not target.exists()
    assert not report.is_symlink() and json.loads(report.read_text())["ok"] is True


def test_symlink_to_a_file_leaves_that_file_untouched(cam: Any, tmp_path: Path) -> None:
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    report = tmp_path / "audit.json"
    report.symlink_to(precious)
    assert audit(cam, report).exit_code == 0
    assert precious.read_text() == "keep me\n"
    assert json.loads(report.read_text())["ok"] is True


def test_directory_is_refused_before_any_aws_call(cam: Any, tmp_path: Path) -> None:
    result = audit(cam, tmp_path)
    assert result.exit_code == 2 and "is a directory" in result.error["message"]
    assert cam.total == 0


def test_fifo_is_refused_before_any_aws_call_and_never_opened(cam: Any, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UsageError, match="not a regular file"):
        check_report_path(str(fifo), True)
    result = audit(cam, fifo, "--overwrite")  # opening a FIFO for writing would block forever
    assert result.exit_code == 2 and "not a regular file" in result.error["message"]
    assert cam.total == 0


def test_missing_folder_is_refused_before_any_aws_call(cam: Any, tmp_path: Path) -> None:
    result = audit(cam, tmp_path / "no" / "such" / "audit.json")
    assert result.exit_code == 2 and "does not exist" in result.error["message"]
    assert cam.total == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder")
def test_read_only_folder_is_refused_before_any_aws_call(cam: Any, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = audit(cam, folder / "audit.json")
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 2 and "cannot create a file" in result.error["message"]
    assert cam.total == 0


def test_overwrite_flag_is_still_accepted(cam: Any, tmp_path: Path) -> None:
    report = tmp_path / "audit.json"
    report.write_text("old")
    assert audit(cam, report, "--overwrite").exit_code == 0
    assert json.loads(report.read_text())["ok"] is True


def test_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text("old")
    report.chmod(0o640)
    write_text_atomic(report, "new")
    assert report.read_text() == "new" and (report.stat().st_mode & 0o777) == 0o640
    fresh = tmp_path / "fresh.txt"
    write_text_atomic(fresh, "x")
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~_umask()
    assert leftovers(tmp_path) == []


def test_a_directory_that_appeared_meanwhile_is_refused_and_no_temp_file_is_left(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    assert check_report_path(str(report)) == report
    report.mkdir()
    with pytest.raises(UsageError, match="directory"):
        write_text_atomic(report, "x")
    assert leftovers(tmp_path) == []


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
