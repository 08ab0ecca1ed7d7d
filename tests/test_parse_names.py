"""Name/text separation in the plain browser copy (comments.names)."""

from __future__ import annotations

from readerscope.comments.names import name_scores, split_names


def test_scores_rank_names_above_text_lines() -> None:
    names = ["deanzaZZR", "Sh1mon M4sada", "151E", "Tokyo Guy", "kurisupisu"]
    texts = [
        "I don't think so!",
        "No, thanks.",
        "*we hold US treasuries",
        "https://example.org/a",
        "and have some serious talk?",
        "Agreed",
    ]
    scores = name_scores(names + texts)
    assert min(scores[: len(names)]) > max(scores[len(names) :])


def test_declared_count_settles_a_name_like_text_line() -> None:
    # 'Exactly' (a text line here) has a name's shape; only the count rules it out.
    lines = ["Wasabi", "Nice one.", "Exactly", "Seems sensible.", "grc", "Fine."]
    assert split_names(lines, None).names == (0, 2, 4)
    forced = split_names(lines, 2)
    assert forced.names == (0, 4)
    assert forced.used_declared
    assert forced.note == (
        "name/text split uncertain: line shapes alone suggest 3 comments; used the declared 2"
    )


def test_implausible_count_falls_back_with_a_note() -> None:
    lines = ["alice", "One sentence here.", "bob", "Another sentence, longer than that."]
    split = split_names(lines, 2 + 5)
    assert split.names == (0, 2)
    assert not split.used_declared
    assert split.note == "7 comments cannot fit in 4 lines"


def test_structure_first_line_name_and_no_adjacent_names() -> None:
    lines = ["Bob", "Alice", "Carol", "Dave"]  # all name-like: structure still holds
    split = split_names(lines, None)
    assert split.names[0] == 0
    assert all(b - a >= 2 for a, b in zip(split.names, split.names[1:], strict=False))
    assert split.names[-1] < len(lines) - 1


def test_empty() -> None:
    assert split_names([], 0).names == ()
