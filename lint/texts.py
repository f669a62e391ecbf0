"""Every text the bot or the web page can show, with where it comes from.

A text is "prose" (sentences, checked with lint/.textlintrc.json) or a "label" (a button title, a
list line, a heading: checked with lint/.textlintrc.labels.json, which does not ask for 「。」).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path

import yaml

from account_api import messages
from actions import buttons, choices, knowledge
from actions.account_api_results import LoginRecord
from actions.procedure_run import format_logins
from actions.topics import TOPICS
from console.canned_replies import SEED as CANNED_SEED
from lint.samples import fill

ROOT = Path(__file__).resolve().parents[1]
PROSE, LABEL = "prose", "label"
SENTENCE_END = re.compile(r"[。？]」?$|[。？]）$")


@dataclass(frozen=True)
class Shown:
    source: str  # file and the name of the text in it
    text: str
    kind: str = PROSE


def _lines(source: str, text: str) -> Iterator[Shown]:
    """One Shown per line: list lines and lines without a sentence end are labels."""
    for line in text.split("\n"):
        line = line.strip()
        if line:
            prose = not line.startswith("・") and bool(SENTENCE_END.search(line))
            yield Shown(source, line, PROSE if prose else LABEL)


def domain_texts() -> Iterator[Shown]:
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    for name, variants in domain["responses"].items():
        for i, variant in enumerate(variants):
            where = f"domain.yml {name}" + (f"[{i}]" if len(variants) > 1 else "")
            if variant.get("text"):
                yield from _lines(where, fill(variant["text"]))
            for button in variant.get("buttons") or []:
                yield Shown(f"{where} button", button["title"], LABEL)


def section_texts() -> Iterator[Shown]:
    for section in knowledge.sections():
        yield from _lines(f"actions/help_sections.yml {section.id}", section.text)
        yield Shown(f"actions/help_sections.yml {section.id}.title", section.title, LABEL)


def _start_procedure_titles(path: Path) -> Iterator[str]:
    """Titles of the procedure buttons built in code: buttons.start_procedure(procedure, "title")."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "start_procedure":
            title = node.args[1] if len(node.args) > 1 else None
            if isinstance(title, ast.Constant) and isinstance(title.value, str):
                yield title.value


def action_texts() -> Iterator[Shown]:
    for question, items in choices.QUESTIONS.items():
        for choice in items:
            yield Shown(f"actions/choices.py {question}", choice.title, LABEL)
    for question, asked in choices.YES_NO_QUESTIONS.items():
        yield Shown(f"actions/choices.py {question}", asked.yes_title, LABEL)
        yield Shown(f"actions/choices.py {question}", asked.no_title, LABEL)
    for intent, topic in TOPICS.items():
        yield Shown(f"actions/topics.py {intent}", topic.title, LABEL)
    for button in buttons.talk_to_person() + knowledge.topic_buttons([]):
        yield Shown("actions/buttons.py, actions/knowledge.py", button["title"], LABEL)
    for title in _start_procedure_titles(ROOT / "actions" / "procedure_run.py"):
        yield Shown("actions/procedure_run.py start_procedure", title, LABEL)
    when = datetime(2026, 11, 24, 0, 12, tzinfo=timezone.utc)
    logins = [LoginRecord(when, "東京都", "iPhone", True, True), LoginRecord(when, "大阪府", "Windows", False, False)]
    yield from _lines("actions/procedure_run.py format_logins", format_logins(logins))


def message_texts() -> Iterator[Shown]:
    """The SMS, mails and letters of the account sandbox (account_api/messages.py)."""
    sent = [
        messages.verification_code("482913", 10),
        messages.password_reset("https://example.jp/reset", 24),
        messages.connection_credentials("abc12345@xxxx.ocn.ne.jp", "pass1234"),
        messages.customer_number("N123456789"),
        messages.ocn_id("taro@ocn.ne.jp"),
    ]
    for message in sent:
        where = f"account_api/messages.py {message.kind}"
        yield Shown(f"{where} subject", message.subject, LABEL)
        body = re.sub(r"https?://\S+", "", message.body)
        yield from _lines(where, body)


def _constant(path: str, name: str) -> str:
    """A module-level string constant, read without importing the module (these import Rasa)."""
    for node in ast.parse((ROOT / path).read_text(encoding="utf-8")).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            assert isinstance(node.value, ast.Constant), (path, name)
            return str(node.value.value)
    raise LookupError(f"{path} has no constant {name}")


# Texts the channels and the Rasa server send themselves (not through a domain response).
CHANNEL_TEXTS = (("bot_server/rate_limit.py", "NO_MODEL_TEXT"),)
# LINE's own texts (channels/line_format.py fixed_text): their standard form, from the widget strings.
WIDGET_STRINGS = ROOT / "easy_japanese" / "texts" / "widget.yml"


def channel_texts() -> Iterator[Shown]:
    for path, name in CHANNEL_TEXTS:
        yield Shown(f"{path} {name}", _constant(path, name))
    strings = yaml.safe_load(WIDGET_STRINGS.read_text(encoding="utf-8"))
    for key, value in strings.items():
        if key.startswith("line_"):
            yield Shown(f"easy_japanese/texts/widget.yml {key}", str(value["standard"]))


class _VisibleText(HTMLParser):
    """The text a visitor sees or hears (screen readers) on the page: text, title, aria-label, description."""

    BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "title", "div", "span", "a"}

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[int, str]] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        values = dict(attrs)
        for name in ("aria-label",):
            if values.get(name):
                self.found.append((self.getpos()[0], values[name] or ""))
        if tag == "meta" and values.get("name") == "description":
            self.found.append((self.getpos()[0], values.get("content") or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.found.append((self.getpos()[0], " ".join(data.split())))


def web_texts() -> Iterator[Shown]:
    page = _VisibleText()
    page.feed((ROOT / "web" / "static" / "index.html").read_text(encoding="utf-8"))
    for line, text in page.found:
        if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", text):
            yield from _lines(f"web/static/index.html:{line}", text)
    script = (ROOT / "web" / "static" / "chat.js").read_text(encoding="utf-8")
    for number, line in enumerate(script.splitlines(), 1):
        found = re.match(r"\s+(\w+): '([^']*[\u3040-\u30ff\u4e00-\u9fff][^']*)'", line)
        if found:
            yield from _lines(f"web/static/chat.js:{number} {found.group(1)}", found.group(2))


def canned_texts() -> Iterator[Shown]:
    """The canned replies a new console starts with: operators send them to customers as they are."""
    for topic, title, text in CANNED_SEED:
        yield from _lines(f"console/canned_replies.py {topic} {title}", text)


def every_text() -> list[Shown]:
    return [
        *domain_texts(),
        *section_texts(),
        *action_texts(),
        *message_texts(),
        *channel_texts(),
        *web_texts(),
        *canned_texts(),
    ]
