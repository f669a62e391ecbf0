"""Custom actions for the OCN ID/password assistant (served by `rasa run actions`)."""

from actions.account_client import check_environment
from actions.metrics import register_with_action_server
from actions.safety_net import install as install_safety_net
from bot_server.redaction import install_log_redaction

# The action server imports this package when it starts: refuse the public sandbox token towards another
# machine before serving anything (actions/account_client.py), and keep codes and phone numbers out of
# its log (rasa_sdk logs trackers at debug level); an action that raises answers with an apology and
# keeps the conversation's state (actions/safety_net.py). The server's GET /metrics and its JSON log lines are
# attached through rasa_sdk's plugin hook, right before it serves (actions/metrics.py).
check_environment()
install_log_redaction()
install_safety_net()
register_with_action_server()
