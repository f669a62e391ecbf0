"""docs/style.md, checked over every response in domain.yml and every Japanese string built in actions/.

Only what textlint (`make lint`, lint/prh.yml) cannot express is checked here: bubble length with
realistic slot values, the full name before a short one in the same bubble, polite endings of every
sentence, typed numbers, typing instructions instead of buttons, claims the page does not make, URLs,
button length, notes and contact-page twins. The prh dictionary itself is proved here too: each of its
wrong forms goes through textlint and must come back corrected. Each failure says which response (or
file:line), which rule of docs/style.md and what to write instead.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from actions import buttons as action_buttons
from actions import knowledge
from actions.links import CONTACT_RESPONSES, NO_LINK_SUFFIX, contact_response
from actions.topics import TOPICS
from lint import textlint
from lint.samples import SLOT_VALUES

ROOT = Path(__file__).resolve().parents[1]
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
RESPONSES: dict[str, list[dict]] = DOMAIN["responses"]

MAX_CHARS_BEFORE_LINK = 120
MAX_BUTTON_TITLE = 20
LINK_PLACEHOLDERS = ("{link}", "{contact_link}")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

# (what not to write, what to write instead, rule). Word-for-word corrections (敬語, the page's terms)
# are in lint/prh.yml; these are the ones with no single correct replacement.
BANNED: list[tuple[str, str, str]] = [
    ("大丈夫", "what is possible: 「…いただけます」", "§1"),
    ("だよ", "です・ます", "§1"),
    ("だね", "です・ます", "§1"),
    ("してね", "です・ます", "§1"),
    ("?", "full-width 「？」", "§1"),
    ("今の", "現在の", "§1/§2"),
    ("すぐに", "no promise about time", "§5"),
    ("数日", "no promise about time ({eta_days} from the API)", "§5"),
    ("即時", "no promise about time", "§5"),
    ("パスワードはありません", "nothing: the page does not say it", "§5"),
    ("ログインするときのパスワード", "the page's words: OCNのログイン画面で入力するOCN ID", "§5"),
    ("新規発行", "the current password: it is never re-issued", "§5"),
    ("再発行します", "the current password: it is never re-issued", "§5"),
    ("http", "{link} from actions/links.py", "§7"),
]
# §4: asking the customer to type a phrase instead of giving a button.
TYPE_THIS = re.compile(r"「[^」]+」と(?:お送り|送信|ご?入力|お伝え|送って)")
# §2: the full name that must come first in a bubble, for each short form.
FIRST_MENTIONS: list[tuple[str, tuple[str, ...]]] = [
    ("OCN ID", ("OCN ID（OCNメールアドレス）",)),
    ("接続用ID", ("OCN接続用ID（認証ID）",)),
    ("マイページ", ("OCN マイページ",)),
    ("会員登録証", ("OCN会員登録証（お申込内容のご案内）", "OCN会員登録証")),
]
# §1: polite sentence endings, and set phrases that are polite without them.
POLITE_ENDINGS = (
    "です",
    "ます",
    "ません",
    "ました",
    "ください",
    "でしょうか",
    "ですか",
    "ますか",
    "ましたか",
    "ませんか",
    "でした",
)
SET_PHRASES = ("こんにちは",)
# §6: numbers a text may type (the page's own and fixed formats); anything else is a {placeholder}.
ALLOWED_NUMBERS = re.compile(r"N123456789|10桁|6桁|約2日間|3種類|1対1")
DIGIT = re.compile(r"[0-9０-９]")
# Names spelled with spaces on the help page itself.
PROPER_NAMES = ("教えて!goo ネット&スマホ コミュニティ",)
# §1: a space between two Japanese characters (「OCN マイページ」 has its space after an ASCII letter).
SPACE_IN_JAPANESE = re.compile(r"[\u3001-\u30ff\u4e00-\u9fff（）] +[\u3001-\u30ff\u4e00-\u9fff（）]")


@dataclass(frozen=True)
class Text:
    where: str  # response name (variant) or file:line
    text: str


def response_texts() -> Iterator[Text]:
    for name, variants in RESPONSES.items():
        for i, variant in enumerate(variants):
            if variant.get("text"):
                yield Text(name if len(variants) == 1 else f"{name}[{i}]", variant["text"])


def response_buttons() -> Iterator[tuple[str, str]]:
    for name, variants in RESPONSES.items():
        for variant in variants:
            for button in variant.get("buttons") or []:
                yield name, button["title"]


def help_section_texts() -> Iterator[Text]:
    """The help-page sections the knowledge fallback shows ({section_title}, {section_text})."""
    data = yaml.safe_load((ROOT / "actions" / "help_sections.yml").read_text(encoding="utf-8"))
    for section in data["sections"]:
        yield Text(f"actions/help_sections.yml:{section['id']}", section["text"])
        yield Text(f"actions/help_sections.yml:{section['id']}.title", section["title"])


def python_texts() -> Iterator[Text]:
    """Japanese string literals (f-string parts too) in actions/, docstrings excepted."""
    for path in sorted((ROOT / "actions").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and JAPANESE.search(node.value)
            ):
                yield Text(f"{path.relative_to(ROOT)}:{node.lineno}", node.value)


def banned_phrases(text: str) -> list[str]:
    problems = [f"{rule}: 「{bad}」 → {instead}" for bad, instead, rule in BANNED if bad in text]
    problems += [f"§4: 「{m.group(0)}…」 → a button instead" for m in TYPE_THIS.finditer(text)]
    return problems


def stray_spaces(text: str) -> list[str]:
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    found = SPACE_IN_JAPANESE.findall(text)
    return [f"§1: a space inside Japanese 「{m}」 (folded YAML turns line breaks into spaces)" for m in found]


def impolite_sentences(text: str) -> list[str]:
    problems = []
    for line in text.split("\n"):
        if line.startswith("・"):
            continue  # a list line, not a sentence
        for sentence in re.findall(r"[^。？]+[。？]", line):
            core = re.sub(r"（[^（）]*）$", "", sentence[:-1].strip())  # 「…です（例：N123…）。」
            core = core.rstrip("」』）")
            if not core.endswith(POLITE_ENDINGS + SET_PHRASES):
                problems.append(f"§1: 「{sentence.strip()}」 does not end in です・ます (e.g. 〜です。〜ください。)")
    return problems


def missing_full_names(text: str) -> list[str]:
    problems = []
    for short, full_forms in FIRST_MENTIONS:
        first = text.find(short)
        if first < 0:
            continue
        if not any(
            text.find(full) >= 0 and text.find(full) <= first < text.find(full) + len(full) for full in full_forms
        ):
            problems.append(f"§2: first mention of 「{short}」 must be 「{full_forms[0]}」")
    return problems


def bubbles(text: str, values: dict[str, str] | None = None) -> list[str]:
    """The text as sent, with realistic slot values (lint/samples.py), cut at each link: what the
    customer reads before a link, or the whole bubble when it has none."""
    values = {**SLOT_VALUES, **(values or {})}
    segments = re.split("|".join(re.escape(p) for p in LINK_PLACEHOLDERS), text)
    return [PLACEHOLDER.sub(lambda m: values[m.group(0)[1:-1]], segment).strip("\n") for segment in segments]


def overlong_segments(text: str, values: dict[str, str] | None = None) -> list[str]:
    problems = []
    for segment in bubbles(text, values):
        width = len(segment)
        if width > MAX_CHARS_BEFORE_LINK:
            problems.append(
                f"§3: {width} characters before the link / in the bubble (max {MAX_CHARS_BEFORE_LINK}); "
                "move a caveat into a utter_note_* response listed in the topic's notes"
            )
    return problems


def typed_numbers(text: str) -> list[str]:
    rest = ALLOWED_NUMBERS.sub("", PLACEHOLDER.sub("", text))
    if DIGIT.search(rest):
        return [
            "§6: a typed number (or a numbered step list, §5); fill it from the API with a {placeholder} "
            f"(allowed as text only: {ALLOWED_NUMBERS.pattern})"
        ]
    return []


def report(problems: dict[str, list[str]]) -> str:
    lines = [f"{where}: {problem}" for where, found in problems.items() for problem in found]
    return "docs/style.md is not followed:\n" + "\n".join(lines)


def check(texts: Iterator[Text], *rules) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for item in texts:
        problems = [p for rule in rules for p in rule(item.text)]
        if problems:
            found[item.where] = problems
    return found


def test_every_response_text_follows_the_style() -> None:
    problems = check(
        response_texts(),
        banned_phrases,
        stray_spaces,
        impolite_sentences,
        missing_full_names,
        overlong_segments,
        typed_numbers,
    )
    assert not problems, report(problems)


def test_knowledge_fallback_sections_follow_the_style() -> None:
    problems = check(
        help_section_texts(),
        banned_phrases,
        stray_spaces,
        impolite_sentences,
        missing_full_names,
        overlong_segments,
        typed_numbers,
    )
    assert not problems, report(problems)


def test_japanese_built_in_actions_follows_the_style() -> None:
    problems = check(python_texts(), banned_phrases)
    assert not problems, report(problems)


def test_button_titles_fit_line_and_use_the_page_terms() -> None:
    titles = list(response_buttons())
    titles += [("actions.topics", topic.title) for topic in TOPICS.values()]
    for make in (action_buttons.which_password, action_buttons.procedures, action_buttons.delivery_methods):
        titles += [(f"actions.buttons.{make.__name__}", b["title"]) for b in make()]
    problems: dict[str, list[str]] = {}
    for where, title in titles:
        found = banned_phrases(title)
        if len(title) > MAX_BUTTON_TITLE:
            found.append(f"§4: button 「{title}」 has {len(title)} characters (LINE allows {MAX_BUTTON_TITLE})")
        if found:
            problems.setdefault(where, []).extend(found)
    assert not problems, report(problems)


def test_every_note_is_sent_and_every_topic_note_exists() -> None:
    notes = {name for name in RESPONSES if name.startswith("utter_note_")}
    listed = {note for topic in TOPICS.values() for note in topic.notes}
    listed |= {contact_response(note, env={}) for note in listed}  # the twin sent without a contact page
    assert listed <= set(RESPONSES), f"notes listed in actions/topics.py without a response: {listed - set(RESPONSES)}"
    assert notes <= listed, f"utter_note_* responses no topic sends: {notes - listed}"


@pytest.mark.parametrize(
    "text, rule",
    [
        ("今のパスワードを入れます。", "§1/§2"),
        ("それで大丈夫です。", "§1"),
        ("お客さま番号はこれだ。", "§1"),
        ("担当者と話すには「担当者」とお送りください。", "§4"),
        ("OCN IDを確認できます。", "§2"),
        ("接続用IDは変更できません。", "§2"),
        ("有効期限は10分です。", "§6"),
        ("お手続きはすぐに完了します。", "§5"),
        ("あ" * 121 + "\n{link}", "§3"),
        ("詳しくは https://example.jp/ をご覧ください。", "§7"),
        ("不正ログイン などをご確認ください。", "§1"),
    ],
)
def test_the_checks_catch_what_the_style_forbids(text: str, rule: str) -> None:
    problems = [
        p
        for check_rule in (
            banned_phrases,
            stray_spaces,
            impolite_sentences,
            missing_full_names,
            overlong_segments,
            typed_numbers,
        )
        for p in check_rule(text)
    ]
    assert any(p.startswith(rule) for p in problems), problems


def test_contact_page_responses_have_a_twin_without_a_link_and_no_other_text_fakes_one() -> None:
    """Issue 20: while OCN_LINK_CONTACT is unset, 「お問い合わせ窓口はこちら」 would lead back to the help page."""
    for name in CONTACT_RESPONSES:
        twin = RESPONSES.get(name + NO_LINK_SUFFIX)
        assert twin, f"{name} has no {name}{NO_LINK_SUFFIX} twin in domain.yml"
        assert "{contact_link}" not in twin[0]["text"], name
        assert "こちら" not in twin[0]["text"].split("ヘルプページもご覧ください")[-1], name
    for item in response_texts():
        if item.where not in CONTACT_RESPONSES and "お問い合わせ窓口" in item.text:
            assert "{link}" not in item.text and "{contact_link}" not in item.text, (
                f"{item.where} names the contact page next to a link: list it in actions.links.CONTACT_RESPONSES"
            )


@pytest.mark.parametrize("section", [s.id for s in knowledge.sections()])
def test_every_response_fits_a_phone_with_realistic_values_and_every_help_section(section: str) -> None:
    """§3 with what the actions really fill in: the longest destination, masked ID, hours and queue
    position (lint/samples.py), and the knowledge fallback's bubble with each section's text."""
    chosen = next(s for s in knowledge.sections() if s.id == section)
    values = {"section_title": chosen.title, "section_text": chosen.text}
    problems = {item.where: found for item in response_texts() if (found := overlong_segments(item.text, values))}
    assert not problems, report(problems)


def _prh_specs() -> list[tuple[str, str, str]]:
    rules = yaml.safe_load((ROOT / "lint" / "prh.yml").read_text(encoding="utf-8"))["rules"]
    return [(rule["expected"], spec["from"], spec["to"]) for rule in rules for spec in rule["specs"]]


PRH_SPECS = _prh_specs()


@pytest.fixture(scope="module")
def textlint_fixes() -> dict[str, str]:
    """Every wrong form of the dictionary through textlint --fix at once (one node start, not 50)."""
    wrong = [wrong for _, wrong, _ in PRH_SPECS]
    return dict(zip(wrong, textlint.fixed(wrong), strict=True))


def test_the_dictionary_has_a_rule_for_each_class_of_problem() -> None:
    assert len({expected for expected, _, _ in PRH_SPECS}) >= 40


@pytest.mark.parametrize("expected, wrong, corrected", PRH_SPECS, ids=[w for _, w, _ in PRH_SPECS])
def test_textlint_corrects_each_wrong_form_of_the_dictionary(
    textlint_fixes: dict[str, str], expected: str, wrong: str, corrected: str
) -> None:
    """The 敬語 forms, the page's terms and the banned phrases of lint/prh.yml, run through the real
    textlint (make lint-deps): each wrong form is reported and rewritten to the form the style asks."""
    assert textlint_fixes[wrong] == corrected, f"textlint left 「{wrong}」 as 「{textlint_fixes[wrong]}」"
