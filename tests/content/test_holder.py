"""The one hot-reload holder: the last good value serves through a broken edit, problems are
reported in the loader's order (root causes first), a snapshot of the last good files carries a
start with broken ones, and edits are found by modification time."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from bot.content.holder import ContentHolder, ContentState
from bot.content.problems import Problem

Lines = tuple[str, ...]


class Loader:
    """A toy content format: every line of the ``*.txt`` files is an item; a line starting with
    '!' is an error there, one starting with '?' a warning. Counts its calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> tuple[Lines | None, list[Problem]]:
        self.calls += 1
        files = txt_files(path) if path.is_dir() else [path]
        if not path.exists():
            return None, [Problem(str(path), 0, "not found")]
        items: list[str] = []
        problems: list[Problem] = []
        for file in files:
            for n, line in enumerate(file.read_text(encoding="utf-8").splitlines(), 1):
                if line.startswith("!"):
                    problems.append(Problem(str(file), n, f"bad line {line!r}"))
                elif line.startswith("?"):
                    problems.append(Problem(str(file), n, "odd line", "warning"))
                items.append(line)
        if any(p.severity == "error" for p in problems):
            return None, problems
        return tuple(items), problems


def txt_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def write(path: Path, text: str, later: int = 0) -> None:
    """Write ``text``; move the modification time ``later`` seconds on (coarse file systems)."""
    path.write_text(text, encoding="utf-8")
    if later:
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + later * 1_000_000_000))


def folder_holder(
    folder: Path, snapshot: Path | None = None
) -> tuple[ContentHolder[Lines], Loader]:
    loader = Loader()
    holder = ContentHolder(folder, loader, "lines", count=len, files=txt_files, snapshot=snapshot)
    return holder, loader


def test_the_first_load_serves_and_an_unchanged_folder_is_not_read_again(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "one\ntwo\n")
    holder, loader = folder_holder(tmp_path)
    assert holder.value is None and not holder.state.ok
    assert holder.reload() is True
    assert holder.get() == ("one", "two")
    assert holder.state == ContentState(items=2, loaded_from=holder.signature(), problems=[])
    assert holder.state.ok
    assert holder.reload() is False and loader.calls == 1


def test_a_bad_edit_keeps_the_last_good_value_and_reports_root_causes_first(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write(tmp_path / "a.txt", "one\n")
    holder, _ = folder_holder(tmp_path)
    holder.reload()
    good = holder.get()
    write(tmp_path / "a.txt", "one\n! broken\n? odd\n", later=1)
    write(tmp_path / "b.txt", "! also broken\n", later=1)
    with caplog.at_level(logging.ERROR, logger="bot.content"):
        assert holder.reload() is False
    assert holder.get() is good and holder.state.items == 1  # still serving
    expected = [
        Problem(str(tmp_path / "a.txt"), 2, "bad line '! broken'"),
        Problem(str(tmp_path / "a.txt"), 3, "odd line", "warning"),
        Problem(str(tmp_path / "b.txt"), 1, "bad line '! also broken'"),
    ]
    assert holder.state.problems == expected  # every problem, in the loader's order
    assert not holder.state.ok
    # Each error on its own line (file:line), in order, then that the last good one serves.
    logged = [(r.getMessage(), getattr(r, "problem", None)) for r in caplog.records]
    assert logged == [
        ("lines problem", str(expected[0])),
        ("lines problem", str(expected[2])),
        ("lines not reloaded; still serving the last good version", None),
    ]


def test_a_fixed_edit_is_served_again(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "one\n")
    holder, _ = folder_holder(tmp_path)
    holder.reload()
    write(tmp_path / "a.txt", "! broken\n", later=1)
    assert holder.reload() is False and holder.get() == ("one",)
    write(tmp_path / "a.txt", "one\ntwo\n? odd\n", later=2)
    assert holder.reload() is True
    assert holder.get() == ("one", "two", "? odd")
    assert holder.state.ok and holder.state.items == 3  # a warning alone does not stop it
    assert [p.severity for p in holder.state.problems] == ["warning"]


def test_edits_are_found_by_modification_time_size_and_file_names(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "one\n")
    holder, loader = folder_holder(tmp_path)
    holder.reload()
    st = (tmp_path / "a.txt").stat()
    write(tmp_path / "a.txt", "two\n")  # same size; the time put back: not seen (cheap check)
    os.utime(tmp_path / "a.txt", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert holder.reload() is False and loader.calls == 1
    os.utime(tmp_path / "a.txt", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert holder.reload() is True and holder.get() == ("two",)  # only the time moved: seen
    write(tmp_path / "b.txt", "three\n")  # a new file
    assert holder.reload() is True and holder.get() == ("two", "three")
    (tmp_path / "b.txt").unlink()  # a removed file
    assert holder.reload() is True and holder.get() == ("two",)
    write(tmp_path / "notes.md", "not content\n")  # not one of the content files
    assert holder.reload() is False and loader.calls == 4


def test_a_single_file_missing_then_written(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    loader = Loader()
    holder = ContentHolder(path, loader, "lines", count=len)
    assert holder.reload() is False
    assert [str(p) for p in holder.state.problems] == [f"{path}:0: not found"]
    with pytest.raises(RuntimeError, match="no valid lines loaded from"):
        holder.get()
    assert holder.reload() is False and loader.calls == 1  # still missing: not read again
    write(path, "one\n")
    assert holder.reload() is True and holder.get() == ("one",) and holder.state.ok


def test_a_snapshot_is_kept_on_success_and_serves_a_start_with_broken_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder, snapshot = tmp_path / "content", tmp_path / "snapshots" / "lines-1"
    folder.mkdir()
    write(folder / "a.txt", "one\n")
    write(folder / "notes.md", "not content\n")
    holder, _ = folder_holder(folder, snapshot)
    assert holder.reload() is True
    assert sorted(p.name for p in snapshot.iterdir()) == ["a.txt"]  # the content files only
    write(folder / "a.txt", "! broken\n", later=1)
    assert holder.reload() is False
    assert (snapshot / "a.txt").read_text(encoding="utf-8") == "one\n"  # never a broken copy

    restarted, _ = folder_holder(folder, snapshot)  # a new process, the files still broken
    with caplog.at_level(logging.ERROR, logger="bot.content"):
        assert restarted.reload() is True
    assert restarted.get() == ("one",)
    assert restarted.state.from_snapshot and not restarted.state.ok  # up, but say what to fix
    shown = [str(p) for p in restarted.state.problems]
    assert shown == [f"{folder / 'a.txt'}:1: bad line '! broken'"]  # the files on disk
    assert "lines files are broken; serving the last good copy" in caplog.messages
    write(folder / "a.txt", "two\n", later=2)  # fixed: the files on disk serve again
    assert restarted.reload() is True and restarted.get() == ("two",)
    assert not restarted.state.from_snapshot and restarted.state.ok

    without, _ = folder_holder(folder, tmp_path / "snapshots" / "none")
    write(folder / "a.txt", "! broken again\n", later=3)
    assert without.reload() is False  # no snapshot: nothing to serve
    with pytest.raises(RuntimeError, match="no valid lines"):
        without.get()


def test_a_single_file_snapshot(tmp_path: Path) -> None:
    path, snapshot = tmp_path / "list.txt", tmp_path / "snap"
    write(path, "one\n")
    assert ContentHolder(path, Loader(), "lines", count=len, snapshot=snapshot).reload()
    assert [p.name for p in snapshot.iterdir()] == ["list.txt"]
    write(path, "! broken\n", later=1)
    restarted = ContentHolder(path, Loader(), "lines", count=len, snapshot=snapshot)
    assert restarted.reload() is True and restarted.get() == ("one",)
    assert restarted.state.from_snapshot


def test_watch_picks_up_an_edit_and_survives_a_failing_load(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "one\n")
    loader = Loader()
    failures: list[Path] = []

    def flaky(path: Path) -> tuple[Lines | None, list[Problem]]:
        if not failures:  # the first load after the start raises: the watcher carries on
            failures.append(path)
            raise OSError("disk hiccup")
        return loader(path)

    holder = ContentHolder(tmp_path, flaky, "lines", count=len, files=txt_files)

    async def scenario() -> Lines | None:
        task = asyncio.create_task(holder.watch(0.01))
        edited = False
        for _ in range(300):
            await asyncio.sleep(0.01)
            if failures and not edited:  # the failed load is not retried until the next edit
                write(tmp_path / "a.txt", "one\ntwo\n", later=1)
                edited = True
            if holder.value is not None:
                break
        task.cancel()
        return holder.value

    assert asyncio.run(scenario()) == ("one", "two")
