"""Hypothesis strategies for content files: YAML's hard cases, and real files mangled."""

from __future__ import annotations

from hypothesis import strategies as st

from bot.content.problems import Problem

YAML_BITS = st.sampled_from(
    ["\t", "- ", ": ", "? ", "&a ", "*a", "!!python/object:os.system ", "!!binary ", "{", "}",
     "[", "]", "|", ">", "---\n", "...\n", "%YAML 1.1\n", "\x00", "\ufeff", "'", '"', "#",
     "<<: *a\n", "~", "null", ".nan", "0x1F", "2024-13-45", "yes", "1e999", "\u2028", "\r\n",
     "id: x\n", "  - id: dup\n", "escalate: maybe\n", "questions:\n", "answer:\n", "en: \n",
     "zh: 123\n", "ko: [a, b]\n", "related: [nope]\n"]
)  # fmt: skip


def mutated(files: dict[str, str]) -> st.SearchStrategy[str]:
    """One of the given files with lines removed, repeated, cut or spliced with YAML bits."""

    @st.composite
    def build(draw: st.DrawFn) -> str:
        lines = draw(st.sampled_from(sorted(files.values()))).splitlines(keepends=True)
        for _ in range(draw(st.integers(1, 6))):
            if not lines:
                break
            i = draw(st.integers(0, len(lines) - 1))
            action = draw(st.sampled_from(["drop", "repeat", "cut", "splice", "indent"]))
            if action == "drop":
                del lines[i]
            elif action == "repeat":
                lines.insert(i, lines[i])
            elif action == "cut":
                lines[i] = lines[i][: draw(st.integers(0, len(lines[i])))]
            elif action == "splice":
                at = draw(st.integers(0, len(lines[i])))
                lines[i] = lines[i][:at] + draw(YAML_BITS | st.text(max_size=10)) + lines[i][at:]
            else:
                lines[i] = draw(st.sampled_from([" ", "  ", "\t"])) + lines[i]
        return "".join(lines)

    return build()


def assert_placed(problems: list[Problem], names: set[str]) -> None:
    """Every problem names one of the files and a line (0: the whole file)."""
    assert problems
    for p in problems:
        assert isinstance(p, Problem) and p.file and isinstance(p.line, int) and p.line >= 0
        assert any(p.file.endswith(n) for n in names), p
        assert p.message.strip() and "Traceback" not in p.message
