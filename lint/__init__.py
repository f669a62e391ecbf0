"""Japanese prose lint of every text the bot or the web page shows (`make lint`, docs/style.md).

`lint.texts` collects the texts with their source, `lint.samples` holds the realistic values the
placeholders are filled with, `python -m lint` writes them to temporary Markdown files and runs
textlint (pinned in lint/package.json) over them.
"""
