"""How the bot does, from the tracker store, and a queue that turns its misses into training data.

Plain modules (no web framework): `report` computes the figures, `charts` draws them,
`render` writes HTML/JSON, `review` keeps the review queue; the console's pages and the
command line (`python -m console.insight`) both use them.
"""
