"""Every feature whose commands, buttons and forms people can reach, in help order."""

from __future__ import annotations

from core.admin.routes import ROUTES as ADMIN
from core.enrollment.routes import ROUTES as ENROLLMENT
from core.language import ROUTES as LANGUAGE
from core.personal import ROUTES as PERSONAL
from core.relationships.routes import ROUTES as RELATIONSHIPS
from core.routing import Routes
from core.self_select.routes import ROUTES as SELF_SELECT
from core.training.routes import ROUTES as TRAINING

FEATURES: tuple[Routes, ...] = (ENROLLMENT, SELF_SELECT, RELATIONSHIPS, TRAINING, ADMIN, PERSONAL,
                               LANGUAGE)
