"""Any text as the centres file (Hypothesis): it loads, or Problems name the file and line."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from bot.centres.loader import load_centres
from tests.centres.conftest import CENTRES_FILE
from tests.yaml_cases import YAML_BITS, assert_placed, mutated

SHIPPED = {CENTRES_FILE.name: CENTRES_FILE.read_text(encoding="utf-8")}
ODD_VALUES = st.sampled_from(
    ["Asia/Nowhere", "../../etc/localtime", "Mon-Fri 09:00-18:00", "Mon-Sun 25:00-26:00",
     "Fri-Mon 18:00-09:00", "24:00-00:00", "2024-02-30", "-91.5", "181", "nan", "inf", "[1, 2]",
     "{lat: x}", "ko, zh_Hant, xx"]
)  # fmt: skip


@given(
    text=mutated(SHIPPED)
    | st.text(max_size=400)
    | st.lists(YAML_BITS | ODD_VALUES, max_size=30).map("".join)
)
def test_any_centres_text_loads_or_gives_placed_problems(text: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "centres.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        centres, problems = load_centres(path)
        if centres is None:
            assert_placed(problems, {path.name})


@given(
    value=ODD_VALUES | st.text(max_size=40),
    field=st.sampled_from(
        ["timezone", "hours", "location", "holidays", "languages", "name", "address"]
    ),
)
def test_any_value_in_a_centre_field_loads_or_gives_placed_problems(value: str, field: str) -> None:
    lines = SHIPPED[CENTRES_FILE.name].splitlines(keepends=True)
    at = next((i for i, line in enumerate(lines) if line.strip().startswith(f"{field}:")), None)
    if at is None:
        return
    indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
    lines[at] = f"{indent}{field}: {value}\n"
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "centres.yaml"
        path.write_bytes("".join(lines).encode("utf-8", "surrogatepass"))
        centres, problems = load_centres(path)
        if centres is None:
            assert_placed(problems, {path.name})
