"""Base for our stateless components that only look at messages up to a length limit."""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage

from ocn_ids.normalize import MAX_MESSAGE_CHARS


class LengthLimitedComponent(GraphComponent):
    """Nothing to train or persist; `max_chars` bounds how much of a message is read."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {"max_chars": MAX_MESSAGE_CHARS}

    def __init__(self, config: dict[str, Any]) -> None:
        self._max_chars = int(config.get("max_chars", MAX_MESSAGE_CHARS))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> LengthLimitedComponent:
        return cls(config)

    def process_training_data(self, training_data: Any) -> Any:
        return training_data
