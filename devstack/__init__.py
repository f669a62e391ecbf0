"""The whole product on one machine (`make run`, `make shell`, and the tests' stacks).

`python -m devstack run|train|shell` (`__main__.py`) starts the services of `services.py` — account
sandbox, action server, Rasa server, operator console, help page — on loopback with the environment
of `config.py`, after training when the model is stale (`model.py`). Shared with deploy/, the tests and
the benchmarks: `processes.py` (start a process and wait for its health), `ports.py` (free ports),
`system_packages.py` (the Debian packages `make test` needs). `progress.py` reports the first run's pip.
"""
