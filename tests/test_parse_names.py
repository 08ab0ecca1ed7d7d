"""Name/text separation in the plain browser copy (comments.names)."""

from __future__ import annotations

from readerscope.comments.names import name_scores, split_names


def test_scores_rank_names_above_text_lines() -> None:
    names = ["deanzaZZR", "Sh1mon M4sada", "151E", "Tokyo Guy", "kurisupisu", "李明", "田中一郎"]
    texts = [
        "I don't think so!",
        "No, thanks.",
        "*we hold US treasuries",
        "https://example.org/a",
        "and have some serious talk?",
        "Agreed",
        "👍",
        "我也是",
        "日本に来てくれてありがとうございます",
        "24 Comments",
        "Login to leave a comment",
    ]
    scores = name_scores(names + texts)
    assert min(scores[: len(names)]) > max(scores[len(names) :])


def test_lines_the_thread_names_are_names() -> None:
    """A quote header names a commenter, and the line before a header is the replier."""
    lines = [
        "Kettle",
        "They keep building them.",
        "Reality",  # a dictionary word: weak on its own
        "Kettle  05:25 pm JST",
        "They keep building them.",
        "The city approved every one of them.",
    ]
    scores = name_scores(lines)
    assert scores[2] > 2.0
    assert scores[3] < -10 and scores[4] < -10  # header and quoted line are never names
    assert split_names(lines).names == (0, 2)


def test_near_tie_is_reported_with_the_comment_positions() -> None:
    # 'Exactly' (a text line here) has a name's shape: the split keeps the likelier
    # reading and says which comments the other reading would change.
    lines = ["Wasabi", "Nice one.", "Exactly", "Seems sensible.", "grc", "Fine."]
    split = split_names(lines)
    assert split.names == (0, 2, 4)
    assert split.notes == (
        "name/text split uncertain at comments 1-2 ('Exactly' read as a username)",
    )


def test_clear_lines_give_no_note() -> None:
    lines = ["alice_77", "One sentence here.", "Tokyo Guy", "Another sentence, longer than that."]
    assert split_names(lines) == split_names(lines)
    assert split_names(lines).names == (0, 2)
    assert split_names(lines).notes == ()


def test_structure_first_line_name_and_no_adjacent_names() -> None:
    lines = ["Bob", "Alice", "Carol", "Dave"]  # all name-like: structure still holds
    split = split_names(lines)
    assert split.names[0] == 0
    assert all(b - a >= 2 for a, b in zip(split.names, split.names[1:], strict=False))
    assert split.names[-1] < len(lines) - 1


def test_empty_and_single_line() -> None:
    assert split_names([]).names == ()
    one = split_names(["lonely"])
    assert one.names == (0,)
    assert one.notes  # the lone line is kept (as a username) and reported
