"""Rasa's LogisticRegressionClassifier plus a second look at the last sentence of long messages.

Customers who write two or three sentences usually set the scene first and ask last
(「先日引っ越しました。OCN IDのパスワードを変えたいです」). Counted over the whole message, the
scene's words weigh as much as the request, so for messages of two or more sentences the
probabilities of the whole message are averaged with those of its last sentence
(`last_sentence_weight`). The last sentence's features are the sum of its tokens' sequence
features, which for count-vector featurizers (word or char_wb n-grams inside tokens) equals what
the featurizers give for that sentence alone — no second tokenizer or featurizer run.
Measured in benchmarks/README.md (issue 8).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from scipy.sparse import csr_matrix, diags, hstack
from sklearn.preprocessing import normalize

# A sentence ends at 。！？!? or a line break (full-width forms are what NFKC would fold).
_SCALINGS = ("counts", "sqrt", "tfidf")
_IDF_FILE = "idf.npy"
_SENTENCE = re.compile(r"[^。．！？!?\n]+[。．！？!?\n]*")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceLogisticRegressionClassifier(LogisticRegressionClassifier):
    """LogisticRegression over the sentence features; long messages also scored by their last sentence."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **LogisticRegressionClassifier.get_default_config(),
            # Share of the last sentence's probabilities for messages of two or more sentences.
            "last_sentence_weight": 0.5,
            # Inverse regularization strength (Rasa's component fixes sklearn's default, 1.0).
            "C": 1.0,
            # "counts" as Rasa's; "sqrt": square root of the counts (a word repeated in a long
            # message weighs less); "tfidf": 1 + log(count), times idf, rows scaled to length 1.
            "feature_scaling": "counts",
        }

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))
        self._scaling = str(self.config["feature_scaling"])
        if self._scaling not in _SCALINGS:
            raise ValueError(f"feature_scaling must be one of {_SCALINGS}, not {self._scaling!r}")
        self._idf: np.ndarray | None = None

    def train(self, training_data: TrainingData) -> Resource:
        if self._scaling == "tfidf":
            examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
            counts = LogisticRegressionClassifier._create_X(self, examples).tocsc()
            document_frequency = np.diff(counts.indptr)  # non-zero rows per column
            self._idf = np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1.0
        return super().train(training_data)

    def _create_X(self, messages: list[Message]) -> csr_matrix:  # noqa: N802 (Rasa's name)
        return self._scaled(super()._create_X(messages))

    def _scaled(self, features: csr_matrix) -> csr_matrix:
        if self._scaling == "counts":
            return features
        features = csr_matrix(features, dtype=float, copy=True)
        if self._scaling == "sqrt":
            features.data = np.sqrt(np.abs(features.data)) * np.sign(features.data)
            return features
        assert self._idf is not None, "tfidf scaling needs the idf of the training data"
        positive = features.data > 0
        features.data[positive] = 1.0 + np.log(features.data[positive])
        return normalize(features @ diags(self._idf))

    def persist(self) -> None:
        super().persist()
        if self._idf is not None:
            with self._model_storage.write_to(self._resource) as model_dir:
                np.save(model_dir / _IDF_FILE, self._idf, allow_pickle=False)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> SentenceLogisticRegressionClassifier:
        component = super().load(config, model_storage, resource, execution_context, **kwargs)
        with model_storage.read_from(resource) as model_dir:
            if (model_dir / _IDF_FILE).exists():
                component._idf = np.load(model_dir / _IDF_FILE, allow_pickle=False)
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        messages = super().process(messages)
        weight = float(self.config.get("last_sentence_weight", 0.0))
        if weight <= 0.0:
            return messages
        for message in messages:
            row = _last_sentence_features(message)
            if row is None:
                continue
            classes = list(self.clf.classes_)
            whole = self.clf.predict_proba(self._create_X([message]))[0]
            last = self.clf.predict_proba(self._scaled(row))[0]
            combined = (1 - weight) * whole + weight * last
            self._set_ranking(message, classes, combined)
        return messages

    def _set_ranking(self, message: Message, classes: list[str], probabilities: np.ndarray) -> None:
        order = np.argsort(-probabilities, kind="stable")
        ranking = [{"name": classes[i], "confidence": float(probabilities[i])} for i in order]
        message.set("intent", ranking[0], add_to_output=True)
        if self.config["ranking_length"] > 0:
            ranking = ranking[: self.config["ranking_length"]]
        message.set("intent_ranking", ranking, add_to_output=True)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence that holds a letter or digit."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if re.search(r"\w", m.group())]


def _last_sentence_features(message: Message) -> csr_matrix | None:
    """Sentence-feature row of the message's last sentence, or None for one-sentence messages."""
    text = message.get(TEXT) or ""
    spans = sentence_spans(text)
    tokens = message.get(TOKENS_NAMES[TEXT]) or []
    if len(spans) < 2 or not tokens:
        return None
    start = spans[-1][0]
    rows = [i for i, token in enumerate(tokens) if token.start >= start]
    if not rows or len(rows) == len(tokens):
        return None
    sequence, _ = message.get_sparse_features(TEXT)
    if sequence is None:
        return None
    features = csr_matrix(sequence.features)
    row = csr_matrix(features[rows].sum(axis=0))
    _, dense = message.get_dense_features(TEXT)
    if dense is not None:
        row = hstack([row, csr_matrix(np.asarray(dense.features))]).tocsr()
    return row
