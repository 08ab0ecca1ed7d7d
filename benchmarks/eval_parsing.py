"""Score the thread parser against threads with exact ground truth (docs/ingest.md).

A folder holds, per thread NAME: ``NAME.txt`` (the file as saved), ``NAME.truth.jsonl``
(one object per comment shown: position, user, text, quoted_user, quoted_text,
posted_at, score, votes_up, votes_down) and ``NAME.meta.json`` (shape, declared_count,
shown_count, ...). Each file is parsed with shape detection and compared row by row.

Parsed and true comments are aligned by their texts (difflib, so one merged or split
comment does not shift every later row); unaligned true comments count as wrong.
Reported per file and in total:

* exact: every field of every comment right and the count equal to the shown count;
* text, user, quoted_text (null = null counts as right), quoted_user, votes: x/y over
  the true comments;
* found / shown / declared comment counts and the parser's warnings;
* ``inline``: rows whose only difference is that the parser moved an opening verbatim
  quotation of an earlier comment ('"They keep building them." Because ...') into
  quoted_text while the truth keeps it in text (a labelling convention: docs/ingest.md),
  and how many files are exact apart from such rows.

    python benchmarks/eval_parsing.py FOLDER [--verbose] [--json OUT]
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path

from readerscope.comments import InputError, ParseWarning, read_thread

FIELDS = ("user", "text", "quoted_user", "quoted_text", "posted_at", "score", "votes_up")
VOTES = ("score", "votes_up", "votes_down")


@dataclass
class FileScore:
    name: str
    shape: str
    detected: str
    shown: int
    declared: int | None
    found: int
    exact: bool
    exact_but_inline: bool = False
    text: int = 0
    user: int = 0
    quoted_text: int = 0
    quoted_user: int = 0
    votes: int = 0
    inline: int = 0
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _align(truth: list[dict], got: list[dict]) -> list[tuple[int, int]]:
    """(truth index, parsed index) pairs: equal texts first, equal-length gaps by position."""
    key_t = [(r["text"] or "").strip() for r in truth]
    key_g = [(r["text"] or "").strip() for r in got]
    pairs: list[tuple[int, int]] = []
    sm = difflib.SequenceMatcher(a=key_t, b=key_g, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1):
            pairs.extend(zip(range(i1, i2), range(j1, j2), strict=True))
    return pairs


def _inline_only(t: dict, g: dict) -> bool:
    """The parser split an opening quotation off a text the truth keeps whole."""
    if t["quoted_text"] is not None or g["quoted_text"] is None or t["user"] != g["user"]:
        return False
    whole = " ".join((t["text"] or "").split())
    parts = " ".join(f"{g['quoted_text']} {g['text']}".split())
    return whole.replace('"', "").replace("“", "").replace("”", "") == parts.replace('"', "")


def score_file(base: Path, verbose: bool = False) -> FileScore:
    """Parse ``base``.txt and compare it with ``base``.truth.jsonl."""
    meta = json.loads(base.with_suffix(".meta.json").read_text(encoding="utf-8"))
    truth_path = Path(f"{base}.truth.jsonl")
    truth = [json.loads(x) for x in truth_path.read_text(encoding="utf-8").splitlines() if x]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ParseWarning)
            t = read_thread(base.with_suffix(".txt"))
    except InputError as err:
        return FileScore(
            base.name, meta["shape"], "error", len(truth), meta.get("declared_count"), 0, False,
            errors=[str(err)],
        )  # fmt: skip
    got = t.comments.to_dicts()
    s = FileScore(
        base.name, meta["shape"], t.shape, len(truth), meta.get("declared_count"),
        len(got), False, warnings=list(t.warnings),
    )  # fmt: skip
    all_right = len(got) == len(truth)
    other = 0  # wrong rows not explained by the inline-quotation convention
    for i, j in _align(truth, got):
        tr, g = truth[i], got[j]
        ok = {k: tr[k] == g[k] for k in (*FIELDS, "votes_down")}
        s.text += ok["text"]
        s.user += ok["user"]
        s.quoted_text += ok["quoted_text"]
        s.quoted_user += ok["quoted_user"]
        s.votes += all(ok[k] for k in VOTES)
        inline = _inline_only(tr, g)
        s.inline += inline
        if not all(ok.values()):
            all_right = False
            other += not inline
            bad = [k for k, v in ok.items() if not v]
            s.errors.append(
                f"#{tr['position']}: " + "; ".join(f"{k} {tr[k]!r} -> {g[k]!r}"[:160] for k in bad)
            )
    matched = {i for i, _ in _align(truth, got)}
    for i, tr in enumerate(truth):
        if i not in matched:
            all_right = False
            s.errors.append(f"#{tr['position']}: not found ({tr['user']!r}: {tr['text'][:60]!r})")
    s.exact = all_right
    s.exact_but_inline = len(got) == len(truth) and other == 0 and len(matched) == len(truth)
    return s


def _fmt(s: FileScore) -> str:
    y = s.shown
    return (
        f"{s.name[:34]:34s} {s.shape[:17]:17s} {'yes' if s.exact else 'no ':3s} "
        f"{s.text:3d}/{y:<3d} {s.user:3d}/{y:<3d} {s.quoted_text:3d}/{y:<3d} "
        f"{s.quoted_user:3d}/{y:<3d} {s.votes:3d}/{y:<3d} {s.found:3d}/{s.shown:<3d} "
        f"{'-' if s.declared is None else s.declared!s:>4s} {s.inline:3d}"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--verbose", "-v", action="store_true", help="list every wrong field")
    ap.add_argument("--json", type=Path, help="write the per-file scores as JSON")
    args = ap.parse_args(argv)
    bases = sorted(p.with_name(p.name.removesuffix(".truth.jsonl"))
                   for p in args.folder.glob("*.truth.jsonl"))  # fmt: skip
    if not bases:
        print(f"{args.folder}: no NAME.truth.jsonl files", file=sys.stderr)
        return 2
    scores = [score_file(b) for b in bases]
    print(
        f"{'file':34s} {'shape':17s} {'ex':3s} {'text':7s} {'user':7s} {'q_text':7s} "
        f"{'q_user':7s} {'votes':7s} {'found':7s} {'decl':>4s} {'inl':3s}"
    )
    for s in scores:
        print(_fmt(s))
        if args.verbose:
            for e in s.errors:
                print(f"    {e}")
            for w in s.warnings:
                print(f"    warning: {w}")
    n = sum(s.shown for s in scores)
    tot = {k: sum(getattr(s, k) for s in scores) for k in ("text", "user", "quoted_text")}
    tot |= {k: sum(getattr(s, k) for s in scores) for k in ("quoted_user", "votes", "inline")}
    print(
        f"total: {sum(s.exact for s in scores)}/{len(scores)} files exact; "
        f"text {tot['text']}/{n}; user {tot['user']}/{n}; quoted_text {tot['quoted_text']}/{n}; "
        f"quoted_user {tot['quoted_user']}/{n}; votes {tot['votes']}/{n}; "
        f"count right {sum(s.found == s.shown for s in scores)}/{len(scores)}; "
        f"inline-quote convention rows {tot['inline']} "
        f"(files exact apart from them: {sum(s.exact_but_inline for s in scores)}/{len(scores)})"
    )
    if args.json:
        args.json.write_text(json.dumps([asdict(s) for s in scores], indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
