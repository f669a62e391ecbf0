"""Custom actions for the OCN ID/password assistant (served by `rasa run actions`)."""

from actions.account_client import check_environment

# The action server imports this package when it starts: refuse the public sandbox token towards another
# machine before serving anything (actions/account_client.py).
check_environment()
