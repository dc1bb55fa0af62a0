"""Neutral UI: messages and forms that every adapter can render."""

from core.ui.form import FieldErrors, FieldKind, Form, FormField, validate
from core.ui.message import (
    LINK_ACTION,
    Block,
    Button,
    Buttons,
    Context,
    Divider,
    Fields,
    FileAttachment,
    GroupChatLink,
    Message,
    Option,
    Section,
    Select,
    message_from_dict,
    message_to_dict,
)

__all__ = [
    "LINK_ACTION",
    "Block", "Button", "Buttons", "Context", "Divider", "FieldErrors", "FieldKind", "Fields",
    "FileAttachment",
    "Form", "FormField", "GroupChatLink", "Message", "Option", "Section", "Select",
    "message_from_dict", "message_to_dict", "validate",
]
