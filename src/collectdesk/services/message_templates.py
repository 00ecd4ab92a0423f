"""Message templates (Jinja2): the shipped defaults, overridden by files in the user config directory."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from collectdesk.domain.errors import InputError
from collectdesk.settings import config_dir

SHIPPED_DIR = Path(__file__).resolve().parents[1] / "templates"
TEMPLATE_NAMES = (
    "courtesy",
    "confirm_receipt",
    "overdue_reminder",
    "overdue_follow_up",
    "overdue_sales_rep",
    "overdue_management",
    "overdue_legal",
    "final_demand",
    "promise_confirmation",
    "promise_missed",
)

_LABELS = {
    "courtesy": "Courtesy reminder",
    "confirm_receipt": "Receipt confirmation request",
    "final_demand": "Final demand",
    "promise_confirmation": "Promise confirmation",
    "promise_missed": "Missed-promise reminder",
}


@dataclass(frozen=True)
class RenderedMessage:
    """One template filled in: the email's subject and body, and the letter's text."""

    template: str
    subject: str
    email_body: str
    letter_text: str


def user_templates_dir() -> Path:
    """Where a user's own templates go (``email/NAME.txt``, ``letter/NAME.txt``) to replace ours."""
    return config_dir() / "templates"


@lru_cache(maxsize=4)
def _environment(user_dir: Path) -> jinja2.Environment:
    loader = jinja2.ChoiceLoader([jinja2.FileSystemLoader(user_dir), jinja2.FileSystemLoader(SHIPPED_DIR)])
    return jinja2.Environment(
        loader=loader,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # plain-text email and letters, never HTML
        auto_reload=True,
    )


def template_for(kind: str, stage: str) -> str:
    """The template a schedule step uses: ``overdue`` becomes the stage's own overdue reminder."""
    if kind != "overdue":
        return kind
    name = f"overdue_{stage}"
    return name if name in TEMPLATE_NAMES else "overdue_legal" if stage == "agency" else "overdue_reminder"


def _render(path: str, variables: dict[str, Any]) -> str:
    environment = _environment(user_templates_dir())
    try:
        return environment.get_template(path).render(**variables)
    except jinja2.TemplateNotFound as exc:
        raise InputError(f"there is no template {exc.name} (shipped or in {user_templates_dir()})") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise InputError(f"template {exc.filename or path}, line {exc.lineno}: {exc.message}") from exc
    except jinja2.UndefinedError as exc:
        raise InputError(f"template {path}: {exc.message}") from exc


def _tidy(text: str) -> str:
    """Collapse the blank lines empty sections leave behind and trim the ends."""
    lines = [line.rstrip() for line in text.strip("\n").splitlines()]
    tidied: list[str] = []
    for line in lines:
        if line or (tidied and tidied[-1]):
            tidied.append(line)
    return "\n".join(tidied).strip("\n") + "\n"


def render_message(name: str, variables: dict[str, Any]) -> RenderedMessage:
    """Fill in the email and letter templates called ``name`` with the message's variables."""
    if name not in TEMPLATE_NAMES:
        raise InputError(f"unknown template {name!r}; choose one of {', '.join(TEMPLATE_NAMES)}")
    email = _tidy(_render(f"email/{name}.txt", variables))
    first, _, rest = email.partition("\n")
    if not first.lower().startswith("subject:"):
        raise InputError(f"template email/{name}.txt must start with a 'Subject:' line")
    letter = _tidy(_render(f"letter/{name}.txt", variables))
    return RenderedMessage(name, first.split(":", 1)[1].strip(), rest.lstrip("\n"), letter)


def label(template: str) -> str:
    """A template's (or schedule kind's) name as people read it."""
    if template == "overdue":
        return "Overdue reminder"
    return _LABELS.get(template) or template.replace("overdue_", "Overdue reminder (").replace("_", " ") + (
        ")" if template.startswith("overdue_") else ""
    )
