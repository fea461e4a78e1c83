"""The SQLite run lock's file: written in one go, and never a lock that blocks a site forever."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from crawler.storage.run_lock import (
    UNREADABLE_LOCK_STALE_SECONDS,
    AlreadyRunningError,
    RunLock,
    lock_file_stale,
)


def _lock(tmp_path: Path) -> tuple[RunLock, Path]:
    engine = create_engine(f"sqlite:///{tmp_path / 'archive.sqlite3'}")
    return RunLock(engine, ["demo"]), tmp_path / "archive.sqlite3.demo.lock"


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_the_lock_file_is_complete_and_nothing_else_is_left(tmp_path):
    lock, path = _lock(tmp_path)
    with lock:
        holder = json.loads(path.read_text())
        assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
        assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]  # no temporary file
    assert not path.exists()


def test_a_live_holder_is_respected(tmp_path):
    lock, path = _lock(tmp_path)
    holder = {"host": socket.gethostname(), "pid": os.getppid(), "since": "2026-12-07T18:00:00"}
    path.write_text(json.dumps(holder))
    _age(path, 3600)
    with pytest.raises(AlreadyRunningError):
        lock.acquire()
    assert json.loads(path.read_text()) == holder


@pytest.mark.parametrize("content", ["", "{", "\x00\x00", "[]", '{"host": "x"}'])
def test_an_old_lock_that_names_no_one_is_taken_over(tmp_path, content):
    lock, path = _lock(tmp_path)
    path.write_text(content)
    _age(path, UNREADABLE_LOCK_STALE_SECONDS + 5)
    with lock:
        assert json.loads(path.read_text())["pid"] == os.getpid()


def test_a_fresh_empty_lock_is_left_to_its_writer(tmp_path):
    # another run may be between its create and its write (an older version): not taken yet
    lock, path = _lock(tmp_path)
    path.write_text("")
    with pytest.raises(AlreadyRunningError):
        lock.acquire()
    assert lock_file_stale(path, {}, now=time.time() + UNREADABLE_LOCK_STALE_SECONDS + 1)


def test_a_full_disk_leaves_no_lock_behind(tmp_path, monkeypatch):
    lock, _path = _lock(tmp_path)

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(OSError):
        lock.acquire()
    assert list(tmp_path.iterdir()) == []  # neither the lock nor its temporary file
