"""Build synthetic Japan Today-style comment corpora for the scale benchmark.

Why synthetic: there is one real thread (37 comments); a study-sized corpus
(10k-1M comments over thousands of threads) has to be generated. To keep the
topic stage honest the comments are not copies: each is 1-4 sentences drawn from
themed templates (trade, seafood, security, history, tourism, economy, politics,
daily life) with slots filled from synonym lists, mixed with sentences of the real
seed thread; ~25% of sentences come from a second theme, so topics overlap as in
real threads. Each file is a browser copy (title, date, article, 'N Comments',
'Login to comment', user / text lines) parsed by the real parser.

Deterministic: the same ``--seed`` and size give byte-identical files.

    python benchmarks/make_corpus.py --comments 10000 --out benchmarks/data/10k
"""

from __future__ import annotations

import argparse
import random
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED_THREAD = ROOT / "comments" / "samples" / "japantoday_750057.txt"

SLOTS: dict[str, list[str]] = {
    "US": ["the US", "America", "Washington", "the United States", "the Americans"],
    "CN": ["China", "Beijing", "the Chinese government", "the CCP", "the PRC"],
    "JP": ["Japan", "Tokyo", "the Japanese government", "Japan's leaders", "Nippon"],
    "LEADER": ["Trump", "Ishiba", "Xi", "Biden", "Kishida", "Takaichi"],
    "GOOD": ["smart", "sensible", "wise", "reasonable", "pragmatic", "overdue"],
    "BAD": ["foolish", "reckless", "shortsighted", "hypocritical", "pathetic", "naive"],
    "MANY": ["a lot of", "plenty of", "countless", "so many", "loads of"],
    "THINK": ["I think", "Honestly,", "In my view", "Frankly,", "Let's be real,", "IMO"],
    "GOODS": ["cars", "rice", "beef", "steel", "semiconductors", "potatoes", "aluminum"],
    "PCT": ["10%", "24%", "25%", "145%", "50%", "15%"],
    "FISH": ["scallops", "seafood", "sea cucumbers", "fish", "tuna"],
    "ISLAND": ["the Senkakus", "the Senkaku islands", "the Diaoyu islands", "Taiwan", "Okinawa"],
    "SHIP": ["coast guard ships", "warships", "fishing boats", "aircraft carriers", "drones"],
    "PLACE": ["Kyoto", "Osaka", "Hokkaido", "Nara", "Kamakura", "Fukuoka", "Nikko"],
    "CROWD": ["tourists", "visitors", "tour groups", "foreign travellers", "cruise passengers"],
    "MONEY": ["the yen", "wages", "rents", "prices", "pensions", "the Nikkei"],
    "PARTY": ["the LDP", "Komeito", "the opposition", "the CDP", "Sanseito"],
    "FOOD": ["ramen", "sushi", "onigiri", "curry rice", "natto", "tempura"],
}

THEMES: dict[str, list[str]] = {
    "trade": [
        "{LEADER}'s {PCT} tariff on Japanese {GOODS} is {BAD}.",
        "{JP} should not give in to tariffs from {US} on {GOODS}.",
        "Tariffs are just a tax on consumers; {US} will pay more for {GOODS}.",
        "{THINK} the trade deal with {US} will hurt Japanese {GOODS} exporters.",
        "Buying more American {GOODS} to please {LEADER} is {BAD}.",
        "The trade negotiator flew to Washington again and came back with nothing.",
        "{JP} runs a trade surplus and {LEADER} wants it gone by any means.",
        "Free trade built {JP}'s economy; protectionism will wreck the supply chain.",
        "Toyota and Honda already build {MANY} cars in {US}, the tariff logic makes no sense.",
        "A {PCT} duty on {GOODS} is a negotiating tactic, not a policy.",
    ],
    "seafood": [
        "{CN} banned Japanese {FISH} for politics, not for safety.",
        "The treated water from Fukushima meets IAEA standards, the {FISH} ban is {BAD}.",
        "Fishermen in Hokkaido lost {MANY} customers after the {FISH} ban.",
        "{THINK} {CN} will lift the {FISH} ban once it needs {JP} on tariffs.",
        "Releasing the Fukushima water was {GOOD}; the science is clear.",
        "I still won't eat {FISH} from that coast, call me paranoid.",
        "The wastewater discharge gave {CN} an excuse it was waiting for.",
        "Japanese {FISH} exporters found new buyers in Southeast Asia and {US}.",
    ],
    "security": [
        "{CN} keeps sending {SHIP} near {ISLAND} and {JP} just protests on paper.",
        "The alliance with {US} is the only thing keeping {ISLAND} safe.",
        "{THINK} {JP} needs to double its defence budget now.",
        "More {SHIP} around {ISLAND} every month; this is how conflicts start.",
        "Article 9 made sense in 1947, not with {CN}'s navy growing like this.",
        "If {US} walks away, {JP} will have to build its own deterrent.",
        "Missile tests over Hokkaido and still no serious civil defence plan.",
        "The US bases in Okinawa are a burden the locals never asked for.",
    ],
    "history": [
        "{CN} uses the war history whenever it needs leverage over {JP}.",
        "{JP} never properly apologised for Nanking, that is the problem.",
        "Textbooks in {JP} skip most of the war, young people know nothing.",
        "The Yasukuni visits by politicians from {PARTY} are {BAD}.",
        "Every country has dark history; {CN} should look at its own.",
        "{THINK} reconciliation needs both sides to stop using the past as a weapon.",
        "My grandfather never spoke about Manchuria; that silence says a lot.",
        "Apologies were made many times, how many more are needed?",
    ],
    "tourism": [
        "{PLACE} is overrun with {CROWD}, locals can't even get on the bus.",
        "Overtourism in {PLACE} is ruining it for everyone who lives there.",
        "{THINK} a tourist tax for {CROWD} is {GOOD}.",
        "The weak yen brings {MANY} {CROWD} but the money stays with big hotels.",
        "Went to {PLACE} last spring and the temples were packed with {CROWD}.",
        "Chinese {CROWD} are back and the shops in {PLACE} are happy.",
        "Rude {CROWD} blocking streets for selfies in {PLACE}, every single day.",
        "Tourism is one of the few industries that still grows here.",
    ],
    "economy": [
        "{MONEY} keep going the wrong way while the BOJ does nothing.",
        "The weak yen makes imports expensive; my grocery bill is up again.",
        "{THINK} {MONEY} will not recover until wages finally rise.",
        "Thirty years of stagnation and {PARTY} still has no plan for {MONEY}.",
        "A rate hike now would crush small businesses and mortgages.",
        "Young people can't afford to marry with {MONEY} like this.",
        "The population is shrinking and {MONEY} reflect that, simple as that.",
        "Japan holds {MANY} US treasuries, that is real leverage nobody uses.",
    ],
    "politics": [
        "{PARTY} only cares about staying in power, not about voters.",
        "{LEADER} has no mandate and everyone knows it.",
        "{THINK} {LEADER} is {GOOD} for trying to talk to both sides.",
        "Another scandal in {PARTY} and nobody resigns, as usual.",
        "Turnout is low because voters see no real alternative to {PARTY}.",
        "{LEADER} flip-flops every week; it is {BAD}.",
        "The slush fund scandal showed what {PARTY} really is.",
        "A snap election now would be {BAD} for the ruling coalition.",
    ],
    "dailylife": [
        "Had {FOOD} in {PLACE} yesterday, still the best thing about living here.",
        "Convenience stores here are {GOOD}, nothing like them back home.",
        "Trains in {PLACE} run on time but rush hour is brutal.",
        "{THINK} the summer heat is getting worse every year.",
        "My neighbours in {PLACE} are kind but the bureaucracy is {BAD}.",
        "Garbage sorting rules in {PLACE} take a month to learn.",
        "Nothing beats a cheap bowl of {FOOD} after work.",
        "Earthquake drills at my kid's school are taken very seriously.",
    ],
}

OPENERS = ["", "", "", "Agreed. ", "Nonsense. ", "Exactly. ", "Well, ", "Sadly, ", "LOL. "]
NAME_PARTS = [
    "Sakura",
    "Ken",
    "tokyo",
    "Osaka",
    "bob",
    "Yama",
    "kyoto",
    "Neko",
    "Riku",
    "Hana",
    "samurai",
    "Gaijin",
    "nihon",
    "Taro",
    "Mika",
    "Fuji",
    "Shin",
    "ronin",
    "Kaze",
    "Sora",
]
TITLES = [
    "Japan and China agree to resume {X} talks",
    "Trump signals new tariffs on Japanese {X}",
    "Tourist numbers hit record as {X} weakens",
    "Government panel proposes changes to {X} rules",
    "Ishiba meets Xi on sidelines of summit over {X}",
]
TITLE_X = ["trade", "seafood", "security", "cars", "yen", "tourism", "rice", "defence"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
ARTICLE = (
    "Officials from both governments met this week to discuss the issue, according to "
    "reports. The talks follow months of tension over tariffs, security and trade. "
    "Analysts said the outcome would shape relations for years."
)


def seed_sentences() -> list[str]:
    """Sentences of the real seed thread's comments (the part after 'Login to comment')."""
    lines = SEED_THREAD.read_text(encoding="utf-8").splitlines()
    body = lines[lines.index("Login to comment") + 1 :]
    sents = []
    for line in body:
        for s in re.split(r"(?<=[.!?])\s+", line.strip()):
            if len(s.split()) >= 6 and not s.startswith("http"):
                sents.append(s)
    return sents


def fill(template: str, rng: random.Random) -> str:
    text = re.sub(r"\{([A-Z]+)\}", lambda m: rng.choice(SLOTS[m.group(1)]), template)
    return text[0].upper() + text[1:]


def make_comment(rng: random.Random, theme: str, seeds: list[str]) -> str:
    """1-4 sentences, mostly on ``theme``; sometimes a seed sentence or another theme."""
    sentences = []
    for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3, 4])):
        r = rng.random()
        if r < 0.15:
            sentences.append(rng.choice(seeds))
        else:
            t = theme if r < 0.75 else rng.choice(list(THEMES))
            sentences.append(fill(rng.choice(THEMES[t]), rng))
    text = rng.choice(OPENERS) + " ".join(sentences)
    if rng.random() < 0.3 and len(sentences) > 1:  # a second paragraph
        cut = text.find(". ") + 1
        if cut > 0:
            text = text[:cut] + "\n" + text[cut:].lstrip()
    return text


def make_user(rng: random.Random) -> str:
    a, b = rng.sample(NAME_PARTS, 2)
    return f"{a}{b.capitalize()}{rng.randint(1, 999)}" if rng.random() < 0.6 else f"{a}_{b}"


def make_thread(rng: random.Random, n_comments: int, seeds: list[str], index: int) -> str:
    main = list(THEMES)[index % len(THEMES)]
    users = [make_user(rng) for _ in range(max(3, n_comments // 4))]
    year = 2020 + index % 6
    title = rng.choice(TITLES).format(X=rng.choice(TITLE_X))
    lines = [
        title,
        f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {year}",
        ARTICLE,
        f"{n_comments} Comments",
        "Login to comment",
    ]
    for _ in range(n_comments):
        theme = main if rng.random() < 0.6 else rng.choice(list(THEMES))
        lines.append(rng.choice(users))
        lines.extend(make_comment(rng, theme, seeds).split("\n"))
    return "\n".join(lines) + "\n"


def make_corpus(out: Path, n_comments: int, seed: int = 20250507) -> dict[str, int]:
    """Write threads of 20-400 comments to ``out`` until ``n_comments`` are written."""
    rng = random.Random(seed)
    seeds = seed_sentences()
    out.mkdir(parents=True, exist_ok=True)
    written, index = 0, 0
    while written < n_comments:
        size = min(rng.randint(20, 400), n_comments - written)
        text = make_thread(rng, size, seeds, index)
        (out / f"jt_{index:06d}.txt").write_text(text, encoding="utf-8")
        written += size
        index += 1
    return {"comments": written, "threads": index}


def parse_size(text: str) -> int:
    text = text.strip().lower()
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1], 1)
    return int(float(text[:-1] if text[-1] in "km" else text) * mult)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--comments", default="10k", help="how many comments (e.g. 10k, 1M)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=20250507)
    args = ap.parse_args()
    print(make_corpus(args.out, parse_size(args.comments), args.seed))


if __name__ == "__main__":
    main()
