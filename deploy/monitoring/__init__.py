"""Monitoring of the scaled mode: Prometheus configuration (prometheus.yml template, config.py) and the
alert rules (rules.yml, tested by rules_test.yml). docs/operations.md tells how to run it."""
