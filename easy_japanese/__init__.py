"""やさしい日本語 (easy Japanese): the easy twin of every text, furigana, and who may want them.

- `twins.py`: the easy texts (texts/*.yml) and how a standard text finds its twin;
- `furigana.py`: readings from SudachiPy (texts/readings.yml overrides) as segments, ruby for the web
  widget, parentheses for LINE;
- `learner.py`: does a message read as English or learner's Japanese (offer the easy mode once);
- `readability.py`: jreadability figures of every standard text and its twin;
- `python -m easy_japanese readings | readability | missing`: print them for review.

The Rasa server swaps the twins in (bot_server/easy_mode.py); the texts are edited in texts/ only.
"""
