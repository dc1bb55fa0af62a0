"""Platform-neutral forms with server-side validation."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from core.i18n import gettext as _
from core.ui.message import Option


class FieldKind(enum.StrEnum):
    SINGLE_SELECT = "single_select"
    MULTI_SELECT = "multi_select"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    NUMBER = "number"
    CHECKBOX = "checkbox"
    DATE = "date"  # ISO YYYY-MM-DD
    TIME = "time"  # 24-hour HH:MM


@dataclass(frozen=True)
class FormField:
    """One input. ``initial`` prefills it: a str, a list of str, an int or a bool."""

    name: str
    label: str
    kind: FieldKind
    required: bool = False
    max_length: int | None = None
    options: list[Option] = field(default_factory=list)
    initial: Any = None
    placeholder: str = ""
    hint: str = ""
    min_value: int | None = None
    max_value: int | None = None
    # What a platform that checks required inputs itself (Teams) shows under an empty one:
    # the words core's own validation uses, in the reader's language when the form was made.
    missing: str = ""

    def __post_init__(self) -> None:
        if self.required and not self.missing:
            object.__setattr__(self, "missing", _("Please choose at least one.")
                               if self.kind is FieldKind.MULTI_SELECT else _("This is required."))


@dataclass(frozen=True)
class Form:
    """A dialog: Slack modal, Adaptive Card or HTML form. ``context`` rides along untouched."""

    form_id: str
    title: str
    fields: list[FormField]
    submit_label: str = "Submit"
    intro: str = ""
    context: str = ""
    # The account the form was shown to; set by core, echoed back by adapters whose forms
    # anyone could submit, so nobody submits someone else's form.
    owner: str = ""


FieldErrors = dict[str, str]


def _clean_one(f: FormField, raw: Any) -> tuple[Any, str | None]:
    allowed = {o.value for o in f.options}
    if f.kind is FieldKind.MULTI_SELECT:
        values = [raw] if isinstance(raw, str) else list(raw or [])
        values = [str(v) for v in values if str(v).strip()]
        if any(v not in allowed for v in values):
            return values, _("Please pick from the list.")
        if f.required and not values:
            return values, _("Please choose at least one.")
        return values, None
    if f.kind is FieldKind.CHECKBOX:
        return raw in (True, "true", "on", "1", 1, ["true"]), None
    text = "" if raw is None else str(raw).strip()
    if f.required and not text:
        return None, _("This is required.")
    if not text:
        return None, None
    if f.kind is FieldKind.SINGLE_SELECT:
        return (text, None) if text in allowed else (text, _("Please pick from the list."))
    if f.kind is FieldKind.DATE:
        try:
            return date.fromisoformat(text[:10]), None
        except ValueError:
            return text, _("Please pick a date.")
    if f.kind is FieldKind.TIME:
        try:
            return time.fromisoformat(text[:5]), None
        except ValueError:
            return text, _("Please pick a time (HH:MM).")
    if f.kind is FieldKind.NUMBER:
        try:
            number = int(text)
        except ValueError:
            return text, _("Please enter a whole number.")
        if f.min_value is not None and number < f.min_value:
            return number, _("Please enter at least {number}.").format(number=f.min_value)
        if f.max_value is not None and number > f.max_value:
            return number, _("Please enter at most {number}.").format(number=f.max_value)
        return number, None
    if f.max_length is not None and len(text) > f.max_length:
        return text, _("Please keep this under {limit} characters (it has {length}).").format(
            limit=f.max_length, length=len(text))
    return text, None


def validate(form: Form, values: dict[str, Any]) -> tuple[dict[str, Any], FieldErrors]:
    """Check submitted ``values`` against ``form``: returns cleaned values and errors per field."""
    clean: dict[str, Any] = {}
    errors: FieldErrors = {}
    for f in form.fields:
        value, error = _clean_one(f, values.get(f.name))
        clean[f.name] = value
        if error:
            errors[f.name] = error
    return clean, errors
