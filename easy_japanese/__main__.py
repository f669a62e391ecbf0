"""python -m easy_japanese readings | readability | missing

- readings:    every easy text with the readings of its words with kanji (review them; put wrong ones
               in texts/readings.yml), and how LINE shows it;
- readability: jreadability averages of the standard and easy texts, and the pairs that gain least;
- missing:     every text without an easy twin.
"""

from __future__ import annotations

import argparse
import sys

from easy_japanese.furigana import readings, with_parentheses
from easy_japanese.inventory import missing, pairs, shown


def print_readings() -> None:
    seen: dict[str, str] = {}
    for pair in pairs():
        if not pair.easy:
            continue
        text = shown(pair.easy)
        print(f"== {pair.where}\n{text}\n   " + " ".join(f"{w}({r})" for w, r in readings(text)))
        print(f"   LINE: {with_parentheses(text)}")
        for word, reading in readings(text):
            seen.setdefault(word, reading)
    print(f"\n== every word with kanji ({len(seen)}), for review:")
    for word, reading in sorted(seen.items()):
        print(f"{word}\t{reading}")


def print_readability(worst: int) -> None:
    from easy_japanese.readability import EASY_BAND, average, scored_pairs

    scored = scored_pairs()
    print(f"pairs scored: {len(scored)} (prose texts with a twin); easy band: >= {EASY_BAND}")
    print(f"standard average: {average([s.standard for s in scored]):.2f}")
    print(f"easy average:     {average([s.easy for s in scored]):.2f}")
    print(f"easy texts below the band: {sum(s.easy < EASY_BAND for s in scored)}")
    print(f"\nthe {worst} pairs that gain least (easy - standard):")
    for s in sorted(scored, key=lambda s: s.gain)[:worst]:
        print(f"{s.gain:+.2f}  {s.standard:.2f} -> {s.easy:.2f}  {s.pair.where}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m easy_japanese", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("readings", help="every easy text with its readings")
    readability = commands.add_parser("readability", help="jreadability figures")
    readability.add_argument("--worst", type=int, default=10)
    commands.add_parser("missing", help="texts without an easy twin")
    args = parser.parse_args(argv)
    if args.command == "readings":
        print_readings()
    elif args.command == "readability":
        print_readability(args.worst)
    else:
        gaps = missing()
        for pair in gaps:
            print(f"{pair.where}: {pair.standard}")
        print(f"{len(gaps)} of {len(pairs())} texts have no easy twin")
    return 0


if __name__ == "__main__":
    sys.exit(main())
