"""Japanese tokenizer for Rasa: SudachiPy morphemes, lemma = Sudachi's normalized form.

The normalized form folds spelling variants (ﾊﾟｽﾜｰﾄﾞ -> パスワード, わかんない -> 分かる ない),
which is what lets a small training set cover casual and half-width input. Before Sudachi,
typed IDs and codes become one placeholder token each, and the domain's words in spellings
Sudachi does not know (せつぞく, ぱすわーど, PW) become one token with the canonical lemma.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.tokenizers.tokenizer import Token, Tokenizer
from rasa.shared.nlu.training_data.message import Message
from sudachipy import SplitMode

from nlu_components.code_fingerprint import CodeFingerprinted
from nlu_components.lexicon import CONCEPT_VARIANTS, PLACEHOLDERS, VARIANTS
from nlu_components.sudachi_dictionary import sudachi_dictionary
from ocn_ids.normalize import nfkc, normalize_with_offsets
from ocn_ids.parse import find_values
from ocn_ids.romaji import romaji_words

_SPLIT_MODES = {"A": SplitMode.A, "B": SplitMode.B, "C": SplitMode.C}
# Sudachi rejects inputs over ~49 KB; tokenize long messages in slices well below that.
_MAX_CHARS_PER_CALL = 4000
_SKIPPED_POS = {"空白", "補助記号"}


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class SudachiTokenizer(CodeFingerprinted, Tokenizer):
    """Splits Japanese text into Sudachi morphemes with offsets into the original text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "intent_tokenization_flag": False,
            "intent_split_symbol": "_",
            "token_pattern": None,
            "prefix_separator_symbol": None,
            # A = shortest units: more shared features between phrasings of one intent.
            "split_mode": "A",
            # Add a `__concept_<name>__` token where the domain's concept lexicon matches.
            "concepts": False,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        super().__init__(config)
        mode = _SPLIT_MODES[str(self._config.get("split_mode", "A")).upper()]
        self._tokenizer = sudachi_dictionary().create(mode)
        self._concepts = bool(self._config.get("concepts", False))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SudachiTokenizer:
        return cls(config)

    @staticmethod
    def not_supported_languages() -> list[str] | None:
        return None

    def tokenize(self, message: Message, attribute: str) -> list[Token]:
        text = message.get(attribute) or ""
        tokens: list[Token] = []
        position = 0
        protected = _protected_spans(text)
        for start, end, lemma in protected:
            tokens += self._sudachi_tokens(text[position:start], position)
            tokens.append(Token(text[start:end], start, end, lemma=lemma))
            position = end
        tokens += self._sudachi_tokens(text[position:], position)
        tokens = self._romaji_read_as_kana(text, tokens, {(start, end) for start, end, _ in protected})
        if self._concepts:
            tokens = sorted(tokens + _concept_tokens(text), key=lambda token: token.start)
        if not tokens:
            # Rasa's featurizers need at least one token; emoji-only and symbol-only
            # messages get one placeholder token spanning the text.
            tokens.append(Token(text[:1] or " ", 0, min(len(text), 1), lemma="__empty__"))
        return self._apply_token_pattern(tokens)

    def _romaji_read_as_kana(self, text: str, tokens: list[Token], protected: set[tuple[int, int]]) -> list[Token]:
        """A romaji word of romaji Japanese (ocn_ids/romaji.py) also gives the morphemes of its hiragana, each
        spanning the word as typed: 「wasuremashita」 gives the lemmas of 「わすれました」 beside its own (the word as
        typed still matches the romaji the training data holds). A lexicon word (「pasuwaado」) keeps its lemma."""
        romaji = {span: kana for span, kana in _romaji_spans(text).items() if span not in protected}
        if not romaji:
            return tokens
        read: list[Token] = []
        for token in tokens:
            read.append(token)
            kana = romaji.get((token.start, token.end))
            if kana is None:
                continue
            read += [
                Token(token.text, token.start, token.end, lemma=morpheme.lemma)
                for morpheme in self._sudachi_tokens(kana, 0)
            ]
        return read

    def _sudachi_tokens(self, text: str, offset: int) -> list[Token]:
        tokens: list[Token] = []
        for chunk_start in range(0, len(text), _MAX_CHARS_PER_CALL):
            part = text[chunk_start : chunk_start + _MAX_CHARS_PER_CALL]
            base = offset + chunk_start
            for morpheme in self._tokenizer.tokenize(part):
                surface = morpheme.surface()
                if not surface.strip() or morpheme.part_of_speech()[0] in _SKIPPED_POS:
                    continue
                tokens.append(
                    Token(
                        surface,
                        base + morpheme.begin(),
                        base + morpheme.end(),
                        lemma=morpheme.normalized_form().lower(),
                    )
                )
        return tokens


def _romaji_spans(text: str) -> dict[tuple[int, int], str]:
    """The romaji words' spans; full-width letters (「ｗａｓｕｒｅｍａｓｈｉｔａ」) are read as NFKC reads them, which
    keeps every offset when it keeps the length."""
    normalized = nfkc(text)
    read_as = normalized if len(normalized) == len(text) else text
    return {(start, end): kana for start, end, kana in romaji_words(read_as)}


def _protected_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, lemma) in the original text: typed values first, then lexicon words."""
    spans: list[tuple[int, int, str]] = [
        (found.start, found.end, PLACEHOLDERS[found.entity]) for found in find_values(text)
    ]
    norm = normalize_with_offsets(text)
    for variant, lemma in VARIANTS:
        index = norm.text.find(variant)
        while index != -1:
            end = index + len(variant)
            whole_word = not variant.isascii() or (
                not _is_ascii_alnum(norm.text[index - 1 : index]) and not _is_ascii_alnum(norm.text[end : end + 1])
            )
            start_o, end_o = norm.span_in_original(index, end)
            if whole_word and not any(s < end_o and start_o < e for s, e, _ in spans):
                spans.append((start_o, end_o, lemma.lower()))
            index = norm.text.find(variant, end)
    return sorted(spans)


def _concept_tokens(text: str) -> list[Token]:
    """One extra token per concept found (at its first, longest match)."""
    norm = normalize_with_offsets(text)
    found: dict[str, Token] = {}
    for variant, lemma in CONCEPT_VARIANTS:
        if lemma in found:
            continue
        index = norm.text.find(variant)
        if index == -1:
            continue
        start, end = norm.span_in_original(index, index + len(variant))
        found[lemma] = Token(text[start:end], start, end, lemma=lemma)
    return list(found.values())


def _is_ascii_alnum(char: str) -> bool:
    return char.isascii() and char.isalnum()
