"""Custom actions for the OCN ID/password assistant (served by `rasa run actions`)."""
