"""The long-message classifier: the last sentence is scored as if it were sent alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from rasa.engine.graph import ExecutionContext
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from nlu_components.logreg_classifier import SentenceLogisticRegressionClassifier, sentence_spans
from nlu_components.sudachi_tokenizer import SudachiTokenizer

TRAINING = {
    "forgot_ocn_id_password": ["OCN IDのパスワードを忘れました", "パスワードが思い出せない", "パスワードがわからない"],
    "check_ocn_id": ["OCN IDを確認したい", "自分のOCN IDがわからない", "OCN IDはどこで見られますか"],
    "greet": ["こんにちは", "おはようございます", "こんばんは"],
}


class Pipeline:
    """config.yml's featurizers (lemma words + char_wb 1-4) and the classifier, trained in process."""

    def __init__(self, tmp_path: Path, **classifier_config: Any) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        storage = LocalModelStorage(tmp_path)
        context = ExecutionContext({}, node_name="test")  # type: ignore[arg-type]
        self.tokenizer = SudachiTokenizer({**SudachiTokenizer.get_default_config(), "split_mode": "A"})
        self.featurizers = [
            CountVectorsFeaturizer.create(
                {**CountVectorsFeaturizer.get_default_config(), **config}, storage, Resource(f"cvf{i}"), context
            )
            for i, config in enumerate(({}, {"analyzer": "char_wb", "min_ngram": 1, "max_ngram": 4}))
        ]
        config = {**SentenceLogisticRegressionClassifier.get_default_config(), "max_iter": 1000, **classifier_config}
        self.classifier = SentenceLogisticRegressionClassifier.create(config, storage, Resource("clf"), context)
        data = TrainingData(
            [Message(data={"text": text, "intent": intent}) for intent, texts in TRAINING.items() for text in texts]
        )
        self.tokenizer.process_training_data(data)
        for featurizer in self.featurizers:
            featurizer.train(data)
            featurizer.process_training_data(data)
        self.classifier.train(data)

    def featurize(self, text: str) -> Message:
        message = Message(data={"text": text})
        self.tokenizer.process([message])
        for featurizer in self.featurizers:
            featurizer.process([message])
        return message

    def parse(self, text: str) -> dict[str, Any]:
        message = self.classifier.process([self.featurize(text)])[0]
        return {"intent": message.get("intent"), "intent_ranking": message.get("intent_ranking")}


@pytest.fixture(scope="module")
def tmp_module(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("logreg")


def test_sentences_split_at_japanese_and_ascii_punctuation_and_line_breaks() -> None:
    text = "先日引っ越しました。OCN IDを確認したい！\nよろしく?"
    assert [text[s:e] for s, e in sentence_spans(text)] == [
        "先日引っ越しました。",
        "OCN IDを確認したい！\n",
        "よろしく?",
    ]
    assert sentence_spans("。。。") == []


def test_last_sentence_scores_as_if_sent_alone(tmp_module: Path) -> None:
    half = Pipeline(tmp_module / "half")
    whole = half.classifier._create_X([half.featurize("こんにちは。OCN IDのパスワードを忘れました")])
    first = half.classifier._create_X([half.featurize("こんにちは")])
    last = half.classifier._create_X([half.featurize("OCN IDのパスワードを忘れました")])
    # the featurizers' sentence features of the whole are those of its sentences added up
    assert np.allclose(whole.toarray(), first.toarray() + last.toarray())
    p_whole = half.classifier.clf.predict_proba(whole)[0]
    p_last = half.classifier.clf.predict_proba(last)[0]
    ranking = half.parse("こんにちは。OCN IDのパスワードを忘れました")["intent_ranking"]
    got = {r["name"]: r["confidence"] for r in ranking}
    for name, expected in zip(half.classifier.clf.classes_, (p_whole + p_last) / 2, strict=True):
        assert got[name] == pytest.approx(expected)


def test_request_after_a_greeting_wins_and_one_sentence_messages_are_unchanged(tmp_module: Path) -> None:
    on = Pipeline(tmp_module / "on")
    off = Pipeline(tmp_module / "off", last_sentence_weight=0.0)
    assert on.parse("こんにちは。OCN IDのパスワードを忘れました")["intent"]["name"] == "forgot_ocn_id_password"
    for text in ("OCN IDのパスワードを忘れました", "こんにちは", "OCN IDを確認したい"):
        assert on.parse(text) == off.parse(text)


@pytest.mark.parametrize("scaling", ["sqrt", "tfidf"])
def test_scaled_classifier_reloads_with_the_same_answers(tmp_module: Path, scaling: str) -> None:
    trained = Pipeline(tmp_module / scaling, feature_scaling=scaling, C=10.0)
    config = {**trained.classifier.config}
    context = ExecutionContext({}, node_name="test")  # type: ignore[arg-type]
    storage, resource = trained.classifier._model_storage, trained.classifier._resource
    loaded = SentenceLogisticRegressionClassifier.load(config, storage, resource, context)
    text = "先日引っ越しました。OCN IDのパスワードを忘れました"
    assert loaded.process([trained.featurize(text)])[0].get("intent_ranking") == trained.parse(text)["intent_ranking"]
    assert trained.parse("OCN IDを確認したい")["intent"]["name"] == "check_ocn_id"
    with pytest.raises(ValueError):
        SentenceLogisticRegressionClassifier.create(
            {**config, "feature_scaling": "log"}, storage, Resource("bad"), context
        )


def _probabilities(pipeline: Pipeline, text: str) -> dict[str, float]:
    return {r["name"]: r["confidence"] for r in pipeline.parse(text)["intent_ranking"]}


@pytest.mark.parametrize("combination", ["linear", "log"])
def test_char_tfidf_view_is_combined_with_the_given_weight(tmp_module: Path, combination: str) -> None:
    alone = Pipeline(tmp_module / f"alone-{combination}")
    both = Pipeline(tmp_module / f"both-{combination}", char_tfidf_weight=0.4, char_tfidf_combination=combination)
    text = "ＯＣＮ　ＩＤのパスワードがわからない"  # full-width: the TF-IDF view sees it NFKC-normalised
    other = both.classifier._char_view.model.predict_proba(["OCN IDのパスワードがわからない"])[0]
    mine = _probabilities(alone, text)
    got = _probabilities(both, text)
    for name, p_other in zip(both.classifier.clf.classes_, other, strict=True):
        if combination == "linear":
            expected = 0.6 * mine[name] + 0.4 * p_other
        else:
            expected = (
                mine[name] ** 0.6
                * p_other**0.4
                / sum(mine[n] ** 0.6 * q**0.4 for n, q in zip(both.classifier.clf.classes_, other, strict=True))
            )
        assert got[name] == pytest.approx(expected)
    assert sum(got.values()) == pytest.approx(1.0)


def test_char_tfidf_view_reloads_and_is_off_by_default(tmp_module: Path) -> None:
    trained = Pipeline(tmp_module / "tfidf-reload", char_tfidf_weight=0.5)
    context = ExecutionContext({}, node_name="test")  # type: ignore[arg-type]
    storage, resource = trained.classifier._model_storage, trained.classifier._resource
    loaded = SentenceLogisticRegressionClassifier.load({**trained.classifier.config}, storage, resource, context)
    for text in ("先日引っ越しました。OCN IDのパスワードを忘れました", "こんにちは"):
        assert (
            loaded.process([trained.featurize(text)])[0].get("intent_ranking") == trained.parse(text)["intent_ranking"]
        )
    assert Pipeline(tmp_module / "tfidf-off").classifier._char_view is None
    with pytest.raises(ValueError):
        SentenceLogisticRegressionClassifier.create(
            {**trained.classifier.config, "char_tfidf_combination": "max"}, storage, Resource("bad2"), context
        )


def test_a_model_that_lost_its_tfidf_view_refuses_to_load(tmp_module: Path) -> None:
    from nlu_components.logreg_classifier import _CHAR_TFIDF_FILE

    trained = Pipeline(tmp_module / "tfidf-lost", char_tfidf_weight=0.4)
    context = ExecutionContext({}, node_name="test")  # type: ignore[arg-type]
    storage, resource = trained.classifier._model_storage, trained.classifier._resource
    with storage.write_to(resource) as model_dir:
        (model_dir / _CHAR_TFIDF_FILE).unlink()
    with pytest.raises(ValueError, match="retrain"):
        SentenceLogisticRegressionClassifier.load({**trained.classifier.config}, storage, resource, context)


def test_the_tfidf_view_reads_only_as_much_text_as_a_message_may_have(tmp_module: Path) -> None:
    from ocn_ids.normalize import MAX_MESSAGE_CHARS

    both = Pipeline(tmp_module / "tfidf-long", char_tfidf_weight=0.4)
    head = "OCN IDのパスワードを忘れました" * (MAX_MESSAGE_CHARS // 10)
    base = np.zeros(len(both.classifier.clf.classes_))
    cut = both.classifier._with_char_tfidf(Message(data={"text": head[:MAX_MESSAGE_CHARS]}), base)
    long = both.classifier._with_char_tfidf(Message(data={"text": head + "こんにちは" * 50_000}), base)
    assert np.allclose(cut, long)


def test_the_reading_view_places_a_homophone_typed_wrong(tmp_module: Path) -> None:
    """「OCN IDを核認したい」 (核認 for 確認, a wrong kana-kanji conversion) shares no characters of 確認 with the
    training data; read aloud it is 「かくにん」 like 確認, so the view that also sees the reading places it
    on checking the OCN ID, and more surely than the view that sees the spelling only. The reading view
    reloads with the same answers."""
    spelled = Pipeline(tmp_module / "spelled", char_tfidf_weight=0.4)
    heard = Pipeline(tmp_module / "heard", char_tfidf_weight=0.4, char_tfidf_reading=True)
    text = "OCN IDを核認したい"
    classes = list(heard.classifier.clf.classes_)
    by_spelling = np.ravel(spelled.classifier._char_view.probabilities(text))
    by_reading = np.ravel(heard.classifier._char_view.probabilities(text))
    assert classes[int(np.argmax(by_reading))] == "check_ocn_id"
    assert by_reading[classes.index("check_ocn_id")] > by_spelling[classes.index("check_ocn_id")]
    context = ExecutionContext({}, node_name="test")  # type: ignore[arg-type]
    storage, resource = heard.classifier._model_storage, heard.classifier._resource
    loaded = SentenceLogisticRegressionClassifier.load({**heard.classifier.config}, storage, resource, context)
    assert loaded.process([heard.featurize(text)])[0].get("intent_ranking") == heard.parse(text)["intent_ranking"]
