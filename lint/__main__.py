"""`python -m lint`: textlint over every text the bot or the web page shows; exit 1 on any problem."""

from __future__ import annotations

import sys

from lint import textlint
from lint.texts import every_text


def main() -> int:
    texts = every_text()
    problems = textlint.run(texts)
    for problem in problems:
        print(problem)
    sources = len({t.source.split(" ")[0].split(":")[0] for t in texts})
    print(f"textlint: {len(texts)} texts from {sources} files, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
