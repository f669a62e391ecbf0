"""Scaled mode: N Rasa servers and M action servers behind nginx, sharing PostgreSQL and Redis.

`python -m deploy.scaled up --rasa N --actions M` / `python -m deploy.scaled down`; see deploy/README.md.
"""
