"""The workbench edit on a folder it cannot write: refused with the reason, the file untouched.

Tests run as root, where a chmod'ed folder is still writable; so the way is blocked with what
root cannot write either: a directory where the editor's temporary file or its lock file goes.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot.faq import editor
from bot.faq.editor import EditRefused, add_phrasing
from bot.faq.loader import load_faq
from tests.conftest import WriteFaq
from tests.faq.test_editor import BLOCK


def names(folder: Path) -> set[str]:
    return {path.name for path in folder.iterdir()}


@pytest.mark.parametrize("blocked", [".fees.yaml.edit", ".faq-edit.lock"])
def test_an_unwritable_folder_refuses_the_edit_and_keeps_the_file(
    write_faq: WriteFaq, blocked: str
) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    (folder / ".faq-edit.lock").touch()  # as an earlier edit leaves it
    (folder / blocked).unlink(missing_ok=True)
    (folder / blocked).mkdir()  # neither written nor opened as a file, even by root
    before, present = (folder / "fees.yaml").read_text(encoding="utf-8"), names(folder)
    with pytest.raises(EditRefused, match="FAQ folder cannot be written") as refused:
        add_phrasing(folder, "annual-fee", "en", "how much per year")
    assert "nothing was written" in refused.value.reason
    assert isinstance(refused.value.__cause__, OSError)  # an OSError, never a 500
    assert (folder / "fees.yaml").read_text(encoding="utf-8") == before
    assert names(folder) == present  # no stray copy beside it
    (folder / blocked).rmdir()
    add_phrasing(folder, "annual-fee", "en", "how much per year")  # writable again: it lands
    faq, _ = load_faq(folder)
    assert faq is not None and "how much per year" in faq.get("annual-fee").questions["en"]


def test_a_failed_rename_leaves_neither_a_half_edit_nor_the_temporary_copy(
    write_faq: WriteFaq, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_faq(fees__yaml=BLOCK)
    before = (folder / "fees.yaml").read_text(encoding="utf-8")

    def no_space(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(editor.os, "replace", no_space)  # a full disk cannot be made here
    with pytest.raises(EditRefused, match="No space left on device"):
        add_phrasing(folder, "annual-fee", "en", "how much per year")
    assert (folder / "fees.yaml").read_text(encoding="utf-8") == before
    assert not (folder / ".fees.yaml.edit").exists()
