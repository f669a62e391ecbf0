"""Rasa's LogisticRegressionClassifier plus a second look at the last sentence of long messages.

Customers who write two or three sentences usually set the scene first and ask last
(「先日引っ越しました。OCN IDのパスワードを変えたいです」). Counted over the whole message, the
scene's words weigh as much as the request, so for messages of two or more sentences the
probabilities of the whole message are averaged with those of its last sentence
(`last_sentence_weight`). The last sentence's features are the sum of its tokens' sequence
features, which for count-vector featurizers (word or char_wb n-grams inside tokens) equals what
the featurizers give for that sentence alone — no second tokenizer or featurizer run.

Optionally (`char_tfidf_weight` > 0) a second, independent view is combined with these
probabilities: TF-IDF character 1–3-grams of the NFKC-normalised raw text into its own
LogisticRegression (the recipe of the `sklearn_tfidf_lr` baseline in benchmarks/nlu_pipelines.py).
It sees no Sudachi lemmas, so it errs on different messages (fewer confident mistakes, flatter
probabilities). Measured in benchmarks/README.md (issue 8).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
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

from nlu_components.code_fingerprint import CodeFingerprinted
from nlu_components.kana_reading import with_reading
from ocn_ids.normalize import MAX_MESSAGE_CHARS, nfkc

# A sentence ends at 。！？!? or a line break (full-width forms are what NFKC would fold).
_SCALINGS = ("counts", "sqrt", "tfidf")
_IDF_FILE = "idf.npy"
_CHAR_TFIDF_FILE = "char_tfidf.skops"
_COMBINATIONS = ("linear", "log")
# The only type skops does not trust by default in the saved TF-IDF pipeline (its idf matrix).
_TRUSTED_TYPES = {"scipy.sparse._csr.csr_matrix"}
_SENTENCE = re.compile(r"[^。．！？!?\n]+[。．！？!?\n]*")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class SentenceLogisticRegressionClassifier(CodeFingerprinted, LogisticRegressionClassifier):
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
            # Share of the TF-IDF character n-gram model's probabilities (0: not trained).
            "char_tfidf_weight": 0.0,
            # "linear": weighted mean of the probabilities; "log": weighted geometric mean, renormalised.
            "char_tfidf_combination": "linear",
            # The baseline's C (benchmarks/nlu_pipelines.py run_sklearn).
            "char_tfidf_C": 10.0,
            # The view also reads the text's kana reading (nlu_components/kana_reading.py): homophones.
            "char_tfidf_reading": False,
        }

    def __init__(self, config: dict[str, Any], name: str, model_storage: ModelStorage, resource: Resource) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))
        self._scaling = str(self.config["feature_scaling"])
        if self._scaling not in _SCALINGS:
            raise ValueError(f"feature_scaling must be one of {_SCALINGS}, not {self._scaling!r}")
        self._idf: np.ndarray | None = None
        if self.config["char_tfidf_combination"] not in _COMBINATIONS:
            raise ValueError(f"char_tfidf_combination must be one of {_COMBINATIONS}")
        self._char_view: CharTfidfView | None = None  # trained when char_tfidf_weight > 0
        self._proba: Any = None  # _fast_proba(self.clf), set on first use (after train or load)

    def train(self, training_data: TrainingData) -> Resource:
        if self._scaling == "tfidf":
            examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
            counts = LogisticRegressionClassifier._create_X(self, examples).tocsc()
            document_frequency = np.diff(counts.indptr)  # non-zero rows per column
            self._idf = np.log((1 + counts.shape[0]) / (1 + document_frequency)) + 1.0
        resource = super().train(training_data)
        self._proba = None
        if float(self.config["char_tfidf_weight"]) > 0.0:
            examples = [e for e in training_data.intent_examples if e.get(INTENT) and e.get(TEXT)]
            self._char_view = CharTfidfView.train(
                examples,
                float(self.config["char_tfidf_C"]),
                self.config["random_state"],
                list(self.clf.classes_),
                bool(self.config["char_tfidf_reading"]),
            )
            self.persist()
        return resource

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
        if self._char_view is not None:
            with self._model_storage.write_to(self._resource) as model_dir:
                self._char_view.save(model_dir / _CHAR_TFIDF_FILE)

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
            if (model_dir / _CHAR_TFIDF_FILE).exists():
                component._char_view = CharTfidfView.load(
                    model_dir / _CHAR_TFIDF_FILE, bool(config.get("char_tfidf_reading", False))
                )
        trained = hasattr(component.clf, "classes_")
        if trained and component._char_view is None and float(config.get("char_tfidf_weight", 0.0)) > 0.0:
            # A model trained with the second view must answer with it: without it, every confidence
            # (and so every fallback threshold calibrated on them) would silently be different.
            raise ValueError(f"{_CHAR_TFIDF_FILE} is missing from the model; retrain it (make train)")
        return component

    def process(self, messages: list[Message]) -> list[Message]:
        last_weight = float(self.config.get("last_sentence_weight", 0.0))
        if last_weight <= 0.0 and self._char_view is None:
            return super().process(messages)
        if self._proba is None:
            self._proba = _fast_proba(self.clf)
        classes = list(self.clf.classes_)
        for message in messages:
            probabilities = self._proba(self._create_X([message]))
            row = _last_sentence_features(message) if last_weight > 0.0 else None
            if row is not None:
                probabilities = (1 - last_weight) * probabilities + last_weight * self._proba(self._scaled(row))
            if self._char_view is not None:
                probabilities = self._with_char_tfidf(message, probabilities)
            self._set_ranking(message, classes, probabilities)
        return messages

    def _with_char_tfidf(self, message: Message, probabilities: np.ndarray) -> np.ndarray:
        """This model's probabilities combined with the TF-IDF character model's."""
        assert self._char_view is not None
        other = self._char_view.probabilities(message.get(TEXT) or "")
        weight = float(self.config["char_tfidf_weight"])
        if self.config["char_tfidf_combination"] == "linear":
            return (1 - weight) * probabilities + weight * other
        # Floor at 1e-12 keeps log() finite; an intent one model rules out stays nearly vetoed.
        log_mean = (1 - weight) * np.log(np.maximum(probabilities, 1e-12)) + weight * np.log(np.maximum(other, 1e-12))
        combined = np.exp(log_mean - log_mean.max())
        return combined / combined.sum()

    def _set_ranking(self, message: Message, classes: list[str], probabilities: np.ndarray) -> None:
        order = np.argsort(-probabilities, kind="stable")
        ranking = [{"name": classes[i], "confidence": float(probabilities[i])} for i in order]
        message.set("intent", ranking[0], add_to_output=True)
        if self.config["ranking_length"] > 0:
            ranking = ranking[: self.config["ranking_length"]]
        message.set("intent_ranking", ranking, add_to_output=True)


class CharTfidfView:
    """The classifier's second view: the sklearn_tfidf_lr baseline's recipe, TF-IDF (sublinear tf) of
    char 1-3-grams of the NFKC raw text -> LogisticRegression. It sees no Sudachi lemmas, so it errs on
    other messages than the lemma model (benchmarks/README.md, "How the classifier was chosen"). With
    `reading`, it also sees the text's kana reading (homophones and kana spellings read alike)."""

    def __init__(self, model: Any, reading: bool = False) -> None:
        self.model = model  # sklearn Pipeline: TfidfVectorizer -> LogisticRegression
        self._proba = _fast_proba(model[-1])
        self._input = _view_input(reading)

    @classmethod
    def train(
        cls, examples: list[Message], c: float, random_state: Any, classes: list[str], reading: bool = False
    ) -> CharTfidfView:
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline

        model = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, lowercase=True),
            LogisticRegression(C=c, max_iter=2000, random_state=random_state),
        )
        view_input = _view_input(reading)
        model.fit([view_input(e.get(TEXT)) for e in examples], [e.get(INTENT) for e in examples])
        # Both models saw the same labels, sorted: their probability columns line up.
        if list(model.classes_) != classes:
            raise ValueError("the TF-IDF view and the LogReg were trained on different intents")
        return cls(model, reading)

    @classmethod
    def load(cls, path: Path, reading: bool = False) -> CharTfidfView:
        return cls(_load_skops(path), reading)

    def save(self, path: Path) -> None:
        import skops.io as sio

        sio.dump(self.model, path)

    def probabilities(self, text: str) -> np.ndarray:
        return self._proba(self.model[0].transform([self._input(text)]))


def _view_input(reading: bool) -> Callable[[str], str]:
    """What the view reads of a message: the text, and with `reading` its kana reading too."""
    return with_reading if reading else _cut_nfkc


def _cut_nfkc(text: str) -> str:
    # Cut like MessageGuard does: a huge paste must not cost seconds here before it is refused.
    return nfkc(text[:MAX_MESSAGE_CHARS])


def _fast_proba(clf: Any) -> Any:
    """predict_proba of a fitted multinomial LogisticRegression as one sparse-dense product and a softmax.

    sklearn's predict_proba validates its input on every call (~1.6 ms for one message here, more than
    the arithmetic); the FAQ turn has a 50 ms budget. Falls back to predict_proba for other models.
    """
    multinomial = getattr(clf, "multi_class", "auto") in ("auto", "multinomial") and clf.solver != "liblinear"
    if not multinomial or len(clf.classes_) < 3:
        return lambda features: clf.predict_proba(features)[0]
    weights, intercept = np.ascontiguousarray(clf.coef_.T), clf.intercept_

    def probabilities(features: csr_matrix) -> np.ndarray:
        scores = np.asarray(features @ weights).ravel() + intercept
        exp = np.exp(scores - scores.max())
        return exp / exp.sum()

    return probabilities


def _load_skops(path: Path) -> Any:
    """A skops file of our own, trusting only the types our TF-IDF pipeline is known to need."""
    import skops.io as sio

    untrusted = set(sio.get_untrusted_types(file=path))
    if not untrusted <= _TRUSTED_TYPES:
        raise ValueError(f"{path}: unexpected types {sorted(untrusted - _TRUSTED_TYPES)}")
    return sio.load(path, trusted=sorted(untrusted))


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
