"""Any text in an FAQ file (Hypothesis): it loads, or the loader lists Problems with the file
and line; it never raises. The texts are the shipped files cut, shuffled and spliced with
YAML's hard cases (tabs, anchors, tags, odd scalars, NUL, BOMs), and plain arbitrary text."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.faq.loader import load_faq
from tests.conftest import FAQ_DIR
from tests.yaml_cases import YAML_BITS, assert_placed, mutated

SHIPPED = {p.name: p.read_text(encoding="utf-8") for p in sorted(FAQ_DIR.glob("*.yaml"))
           if p.name not in ("centres.yaml", "macros.yaml")}  # fmt: skip


@given(
    text=mutated(SHIPPED) | st.text(max_size=400) | st.lists(YAML_BITS, max_size=30).map("".join),
    keep_others=st.booleans(),
)
def test_any_faq_text_loads_or_gives_placed_problems(text: str, keep_others: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if keep_others:  # the bad file among the good ones (duplicate ids across files...)
            for name, good in SHIPPED.items():
                (folder / name).write_text(good, encoding="utf-8")
        path = folder / "account.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        faq, problems = load_faq(folder)
        if faq is None:
            assert_placed(problems, {p.name for p in folder.glob("*.yaml")})
