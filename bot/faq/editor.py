"""Edits an admin makes from what merchants asked: their wording added to an entry as a phrasing.

The YAML files stay the source of truth and stay the admin's: the file is edited as a round
trip (ruamel.yaml), so comments, key order, quoting and layout are kept and the diff shows one
added line. The edited folder is validated exactly as ``faq check`` validates it before the
file is replaced (atomically); a refused edit leaves the file untouched. The hot reload then
picks the change up like any edit by hand. Two admins (or two replicas) editing at once never
lose an edit: the file is replaced only if it still holds the text the edit was made from,
checked under an exclusive lock; otherwise the later edit is refused and can be sent again.
A folder that cannot be written (a read-only mount, another user's files) refuses the edit the
same way, the file as it was.
"""

from __future__ import annotations

import contextlib
import difflib
import fcntl
import hashlib
import io
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from bot.content.problems import Problem, errors
from bot.faq.loader import faq_files, load_faq
from bot.text.language import LANGS, Lang
from bot.text.normalize import normalize

log = logging.getLogger(__name__)


class EditRefused(Exception):
    """The edit was not made: why, with the problems ``faq check`` would report."""

    def __init__(self, reason: str, problems: list[Problem] | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.problems = problems or []


@dataclass(frozen=True)
class Edit:
    """One file's text before and after an edit."""

    path: Path
    before: str
    after: str

    def diff(self) -> str:
        """A unified diff of the edit, as ``git diff`` would show it."""
        lines = difflib.unified_diff(
            self.before.splitlines(keepends=True),
            self.after.splitlines(keepends=True),
            fromfile=f"a/{self.path.name}",
            tofile=f"b/{self.path.name}",
        )
        return "".join(lines)


def add_phrasing(folder: Path, entry_id: str, lang: Lang, text: str, *, write: bool = True) -> Edit:
    """Add ``text`` to an entry's phrasings in ``lang``; ``write=False`` only shows the edit."""
    wording = " ".join(text.split())
    if not wording:
        raise EditRefused("the phrasing is empty")
    if lang not in LANGS:
        raise EditRefused(f"unknown language '{lang}' (one of {', '.join(LANGS)})")
    path, before, document, entry = _find(folder, entry_id)
    questions = entry.get("questions")
    if not isinstance(questions, CommentedMap):
        raise EditRefused(f"{path.name}: entry '{entry_id}' has no questions mapping")
    current = questions.get(lang)
    if current is None:
        current = questions[lang] = CommentedSeq()
    if not isinstance(current, CommentedSeq):
        raise EditRefused(f"{path.name}: '{entry_id}' questions.{lang} is not a list")
    if any(normalize(str(q)) == normalize(wording) for q in current):
        raise EditRefused(f"'{entry_id}' already has this phrasing in {lang}")
    # Written in the quoting style of its siblings, so the line reads like the admin's own.
    like = type(current[-1]) if len(current) and isinstance(current[-1], ScalarString) else None
    current.append(like(wording) if like is not None else wording)
    edit = Edit(path, before, _dump(document))
    _validate(folder, edit)
    if write:
        try:
            with _locked(folder):
                if _digest(path.read_text(encoding="utf-8")) != _digest(before):
                    raise EditRefused(
                        f"{path.name} was changed by someone else while this edit was made; "
                        "nothing was written: send it again"
                    )
                _replace(path, edit.after)
        except OSError as exc:
            # A read-only mount or a folder of another user: the operator's to fix, the file
            # as it was (the rename is the only step that changes it).
            log.warning("FAQ edit not written: %s: %s", folder, exc)
            reason = exc.strerror or type(exc).__name__
            raise EditRefused(
                f"the FAQ folder cannot be written ({reason}); nothing was written: "
                "ask whoever runs the bot to make it writable"
            ) from exc
    return edit


def _yaml() -> YAML:
    yaml = YAML()  # round trip: comments, order, quotes and flow style survive
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap an admin's long lines
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _find(folder: Path, entry_id: str) -> tuple[Path, str, Any, CommentedMap]:
    """The file holding the entry, the text it was parsed from, the document and the entry."""
    if not folder.is_dir():
        raise EditRefused(f"FAQ folder not found: {folder}")
    for path in faq_files(folder):
        text = path.read_text(encoding="utf-8")
        try:
            document = _yaml().load(text)
        except Exception:  # a file that does not parse cannot hold the entry we edit
            continue
        entries = document.get("entries") if isinstance(document, CommentedMap) else None
        for entry in entries if isinstance(entries, CommentedSeq) else ():
            if isinstance(entry, CommentedMap) and entry.get("id") == entry_id:
                return path, text, document, entry
    raise EditRefused(f"no entry '{entry_id}' in {folder}")


def _dump(document: Any) -> str:
    out = io.StringIO()
    _yaml().dump(document, out)
    return out.getvalue()


def _validate(folder: Path, edit: Edit) -> None:
    """The folder with the edit must load as ``faq check`` loads it."""
    with tempfile.TemporaryDirectory(prefix="merchant-bot-edit-") as tmp:
        copy = Path(tmp) / folder.name
        shutil.copytree(folder, copy)
        (copy / edit.path.relative_to(folder)).write_text(edit.after, encoding="utf-8")
        faq, problems = load_faq(copy)
    if faq is None:
        found = errors(problems)
        first = found[0] if found else "the FAQ does not load"
        raise EditRefused(f"the edit would break the FAQ: {first}", list(found))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    """An exclusive lock on the folder's edits, across processes on this host."""
    with open(folder / ".faq-edit.lock", "a+b") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _replace(path: Path, text: str) -> None:
    """Write beside the file and rename: the hot reload never reads half a file."""
    tmp = path.with_name(f".{path.name}.edit")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        # No half-written copy left behind (a full disk); what is there but not a file is
        # not ours to remove.
        if tmp.is_file():
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise
