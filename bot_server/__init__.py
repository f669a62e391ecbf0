"""What the Rasa server runs beyond stock Rasa.

- Loaded by name from endpoints.yml: `tracker_stores.py` (redacting; on PostgreSQL also retrying) and
  `lock_store.py` (an atomic Redis lock store for several Rasa servers).
- Patches to Rasa internals, each registered in `rasa_patches.py` with the Rasa version and the hashes
  of the functions it was written against: `action_fallback.py` (a reply when the action server is
  down), `action_validation.py` (one compiled validator for action responses), `handoff_pause.py`
  (no NLU while a person has the conversation, and the pause kept across session expiry),
  `rate_limit.py` (rate and body limits), `api_token.py` (the HTTP API token from the environment and
  in a header, never in argv or a URL).
- `redaction.py`: the one place that redacts codes, phone numbers and IDs.
- `survey_report.py`: counts the survey answers in the tracker store.

`python -m bot_server run ...` is Rasa's CLI with the patches applied; a plain `rasa run` with our
credentials.yml applies them too (`rasa_patches.RasaPatches`), or refuses to start.
"""
