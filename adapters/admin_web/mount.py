"""The admin web page: sign in with a one-time chat link, then programs, people and import.

Server-rendered HTML only. Every rule (who is an admin, what a valid program is, how an
import diffs) lives in core; this module turns requests into core calls and back into pages.

Every page is in the signed-in admin's language (their choice, else their platform's, else the
workspace default): each handler writes inside ``i18n.reading(viewer.language)``, which also
reaches the worker threads it starts (``asyncio.to_thread`` copies the context). Words come
from the catalogs through ``core.i18n``; what core already words (forms, notices, statuses) is
core's.
"""

from __future__ import annotations

import asyncio
import math
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from adapters.admin_web.auth import COOKIE
from adapters.admin_web.pages import render
from bot.settings import Settings
from core import i18n
from core.admin import announcements, programs, web_sessions
from core.admin.audit import record
from core.admin.texts import STATUSES
from core.admin.web_links import create_program, new_program_form, redeem
from core.clock import Clock
from core.hris.csv_import import PRESETS, ImportResult, import_people
from core.i18n import N_, format_number
from core.i18n import gettext as _
from core.ids import parse_id
from core.language import reader_language
from core.mentorbot import Mentorbot
from core.models import Announcement, AnnouncementStatus, Person, Program, Workspace
from core.ui import validate

PAGE_SIZE = 50
# An HRIS export of tens of thousands of people is a few MB; refuse anything far larger.
MAX_UPLOAD = 20 * 1024 * 1024
# The saving's assumption: a salary-scale number, not a typo's worth of zeros.
MAX_REPLACEMENT_COST = 10_000_000
# Format names, the same in every language.
DOWNLOADS = (("pdf", "PDF"), ("xlsx", "Excel"), ("csv", "CSV"), ("html", "HTML"))


@dataclass(frozen=True)
class Viewer:
    """The signed-in admin, as plain values (no ORM object crosses threads)."""

    person_id: int
    workspace_id: int
    name: str
    csrf: str
    language: str  # the admin's own language: every page they see is written in it


def mount_admin_web(app: FastAPI, *, sessions: sessionmaker[Session], core: Mentorbot,
                    settings: Settings, clock: Clock) -> None:
    """Serve /admin and its pages on ``app``."""
    # Behind a TLS-terminating proxy the request itself may say http: PUBLIC_URL is what
    # browsers use, so https there means the cookie must never travel in clear.
    secure_cookie = settings.public_url.lower().startswith("https://")

    def html(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """A page in the language being written (the viewer's, set by the handler)."""
        return HTMLResponse(render(name, **context), status_code=status,
                            headers={"Cache-Control": "no-store",
                                     "X-Frame-Options": "DENY",
                                     "Content-Security-Policy":
                                         "default-src 'none'; style-src 'unsafe-inline'; "
                                         "form-action 'self'; frame-ancestors 'none'"})

    def denied() -> HTMLResponse:
        # Nobody is signed in: the workspace's default language.
        with i18n.reading(core.default_language):
            return html("denied", 401, title=_("Sign-in needed"))

    def speaking(viewer: Viewer) -> Any:
        return i18n.reading(viewer.language)

    def _viewer(token: str) -> Viewer | None:
        # Re-checked on every request: revoking an admin in chat ends their web session too.
        with sessions() as s:
            person = web_sessions.find(s, token, now=clock.now(), seeded=core.admin_emails)
            viewer = Viewer(person.id, person.workspace_id, person.name,
                            web_sessions.csrf_token(token),
                            reader_language(person, core.default_language)) if person else None
            s.commit()  # is_admin may have recorded a seeded admin, or the session ended
            return viewer

    async def current(request: Request) -> Viewer | None:
        token = request.cookies.get(COOKIE)
        return await asyncio.to_thread(_viewer, token) if token else None

    async def posted(request: Request) -> tuple[Viewer | None, Any, Response | None]:
        """The viewer and form of a POST, or the response that refuses it."""
        viewer = await current(request)
        if viewer is None:
            return None, None, denied()
        form = await request.form()
        # Bytes, not str: compare_digest raises on a non-ASCII str instead of saying no.
        sent = str(form.get("csrf") or "").encode("utf-8", "replace")
        if not secrets.compare_digest(sent, viewer.csrf.encode("ascii")):
            with speaking(viewer):
                return None, None, html("forbidden", 403, title=_("Form expired"),
                                        viewer=viewer)
        return viewer, form, None

    @app.get("/admin/login", response_class=HTMLResponse, include_in_schema=False)
    async def login(request: Request, token: str = "") -> Response:
        def work() -> str | None:
            with sessions() as s:
                person = redeem(s, token, now=clock.now(), seeded=core.admin_emails)
                # A new session on every sign-in: never one that existed before a re-grant.
                secret = web_sessions.start(s, person, now=clock.now()) if person else None
                # Commit even on refusal: the attempt spends the link.
                s.commit()
                return secret

        secret = await asyncio.to_thread(work)
        if secret is None:
            return denied()
        response = RedirectResponse("/admin", status_code=303)
        response.set_cookie(COOKIE, secret,
                            max_age=int(web_sessions.SESSION_TTL.total_seconds()),
                            path="/admin", httponly=True, samesite="lax",
                            secure=secure_cookie or request.url.scheme == "https")
        # The token sits in the address bar and history; no-store keeps it out of caches, and
        # no-referrer keeps it from travelling on to the next page.
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response

    @app.post("/admin/logout", include_in_schema=False)
    async def logout(request: Request) -> Response:
        _viewer, _form, refused = await posted(request)
        if refused:
            return refused

        def work() -> None:
            with sessions() as s:
                web_sessions.end(s, request.cookies.get(COOKIE), now=clock.now())
                s.commit()

        # Ended on the server: a copy of the cookie kept anywhere is worthless from now on.
        await asyncio.to_thread(work)
        response = RedirectResponse("/admin", status_code=303)
        response.delete_cookie(COOKIE, path="/admin")
        return response

    @app.get("/admin", response_class=HTMLResponse, include_in_schema=False)
    async def home(request: Request, created: int | None = None) -> Response:
        viewer = await current(request)
        if viewer is None:
            return denied()

        def work() -> tuple[list[Any], str | None]:
            with sessions() as s:
                rows = programs.listing(s, viewer.workspace_id)
                name = next((p.name for p, _count in rows if p.id == created), None)
                s.expunge_all()
                return rows, name

        rows, created_name = await asyncio.to_thread(work)
        with speaking(viewer):
            return html("programs", title=_("Programs"), viewer=viewer, rows=rows,
                        created=created_name, kinds=programs.KIND_LABELS, statuses=STATUSES)

    def program_page(viewer: Viewer, template: str, values: dict[str, Any],
                     errors: dict[str, str], status: int = 200) -> HTMLResponse:
        with speaking(viewer):
            form = new_program_form(template)
            return html("new_program", status, title=_("New program"), viewer=viewer,
                        templates=programs.TEMPLATES,
                        template=template if programs.template(template) else "",
                        fields=form.fields, values=values, errors=errors,
                        submit_label=form.submit_label)

    @app.get("/admin/programs/new", response_class=HTMLResponse, include_in_schema=False)
    async def new_program(request: Request, template: str = "") -> Response:
        viewer = await current(request)
        if viewer is None:
            return denied()
        return program_page(viewer, template, {}, {})

    @app.post("/admin/programs/new", include_in_schema=False)
    async def create(request: Request) -> Response:
        viewer, form, refused = await posted(request)
        if refused or viewer is None:
            return refused or denied()
        template = str(form.get("template") or "")
        # Browsers send nothing for an unchecked box; validate reads a missing key as False.
        values = {k: v for k, v in form.items() if k not in ("csrf", "template")}

        def work() -> tuple[int | None, dict[str, str]]:
            with sessions() as s:
                actor = s.get(Person, viewer.person_id)
                assert actor is not None
                result = create_program(s, actor, values, template, now=clock.now())
                if result.program is None:
                    return None, result.errors
                s.commit()
                return result.program.id, {}

        with speaking(viewer):  # the errors are core's sentences, in the admin's language
            program_id, errors = await asyncio.to_thread(work)
        if program_id is None:
            return program_page(viewer, template, values, errors, 422)
        return RedirectResponse(f"/admin?created={program_id}", status_code=303)

    @app.get("/admin/people", response_class=HTMLResponse, include_in_schema=False)
    async def people(request: Request, q: str = "", page: int = 1) -> Response:
        viewer = await current(request)
        if viewer is None:
            return denied()
        q = q.strip()[:200]

        def work() -> tuple[list[Person], int]:
            with sessions() as s:
                where = [Person.workspace_id == viewer.workspace_id]
                if q:
                    # Escape LIKE wildcards so a search for "a_b" means that text.
                    pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%") \
                        .replace("_", "\\_") + "%"
                    where.append(or_(func.lower(Person.name).like(pattern, escape="\\"),
                                     func.lower(Person.email).like(pattern, escape="\\")))
                total = s.scalar(select(func.count()).select_from(Person).where(*where)) or 0
                last = max(1, math.ceil(total / PAGE_SIZE))
                current_page = min(max(page, 1), last)
                rows = list(s.scalars(select(Person).where(*where).order_by(
                    Person.name, Person.id).offset((current_page - 1) * PAGE_SIZE)
                    .limit(PAGE_SIZE)))
                s.expunge_all()
                return rows, total

        rows, total = await asyncio.to_thread(work)
        pages = max(1, math.ceil(total / PAGE_SIZE))
        page = min(max(page, 1), pages)

        def query(n: int) -> str:
            return urlencode({"q": q, "page": n} if q else {"page": n})

        with speaking(viewer):
            return html("people", title=_("People"), viewer=viewer, rows=rows, total=total,
                        q=q, page=page, pages=pages, query=query)

    def import_page(viewer: Viewer, status: int = 200, **context: Any) -> HTMLResponse:
        context.setdefault("preset", "mentorbot")
        context.setdefault("dry_run", True)
        with speaking(viewer):
            if context.get("problem"):
                context["problem"] = _(context["problem"])
            return html("import", status, title=_("Import people"), viewer=viewer,
                        presets=list(PRESETS), **context)

    @app.get("/admin/import", response_class=HTMLResponse, include_in_schema=False)
    async def import_form(request: Request) -> Response:
        viewer = await current(request)
        if viewer is None:
            return denied()
        return import_page(viewer)

    @app.post("/admin/import", include_in_schema=False)
    async def import_upload(request: Request) -> Response:
        viewer, form, refused = await posted(request)
        if refused or viewer is None:
            return refused or denied()
        preset = str(form.get("preset") or "")
        dry_run = form.get("dry_run") == "on"
        keep_missing = form.get("keep_missing") == "on"
        again = dict(preset=preset, dry_run=dry_run, keep_missing=keep_missing)
        upload = form.get("file")
        if preset not in PRESETS:
            return import_page(viewer, 422, problem=N_("Pick one of the listed presets."),
                               **again)
        if upload is None or isinstance(upload, str):
            return import_page(viewer, 422, problem=N_("Choose a CSV file to upload."),
                               **again)
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            return import_page(viewer, 413,
                               problem=N_("That file is too large (20 MB at most)."), **again)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return import_page(viewer, 422, problem=N_("Save the export as UTF-8 CSV and "
                                                       "upload it again."), **again)

        def work() -> tuple[ImportResult, bool]:
            # As the CLI: no commit unless the whole file parsed and this is not a dry run.
            with sessions() as s:
                workspace = s.get(Workspace, viewer.workspace_id)
                actor = s.get(Person, viewer.person_id)
                assert workspace is not None and actor is not None
                now = clock.now()
                result = import_people(s, workspace, text, PRESETS[preset], now=now,
                                       deactivate_missing=not keep_missing)
                if result.errors or dry_run:
                    s.rollback()
                    return result, False
                record(s, actor, "people import (web)", now=now, preset=preset,
                       new=len(result.new), changed=len(result.changed),
                       deactivated=len(result.deactivated))
                s.commit()
                return result, True

        with speaking(viewer):  # the import's errors and warnings are core's sentences
            result, applied = await asyncio.to_thread(work)
        return import_page(viewer, 422 if result.errors else 200, result=result,
                           applied=applied, **again)

    def announcements_page(viewer: Viewer, status: int = 200, **context: Any) -> HTMLResponse:
        with speaking(viewer):
            return _announcements_page(viewer, status, **context)

    def _announcements_page(viewer: Viewer, status: int, **context: Any) -> HTMLResponse:
        with sessions() as s:
            person = s.get(Person, viewer.person_id)
            assert person is not None
            form = announcements.announce_form(
                announcements.programs_for_join(s, viewer.workspace_id), person.timezone)
            scheduled = announcements.pending(s, viewer.workspace_id)
            s.expunge_all()
        context.setdefault("values", {})
        context.setdefault("errors", {})
        return html("announcements", status, title=_("Announcements"), viewer=viewer,
                    fields=form.fields, scheduled=scheduled,
                    scheduled_when={a.id: _when(a.post_at) for a in scheduled}, **context)

    @app.get("/admin/announcements", response_class=HTMLResponse, include_in_schema=False)
    async def announcements_list(request: Request) -> Response:
        viewer = await current(request)
        if viewer is None:
            return denied()
        return await asyncio.to_thread(announcements_page, viewer)

    def _when(moment: Any) -> str:
        """When an announcement goes out, as the admin writes a day and time (UTC)."""
        if moment is None:
            return _("now")
        return _("{day} {time} UTC").format(day=i18n.format_date(moment),
                                            time=i18n.format_clock(moment))

    @app.post("/admin/announcements", include_in_schema=False)
    async def announcements_draft(request: Request) -> Response:
        viewer, form, refused = await posted(request)
        if refused or viewer is None:
            return refused or denied()
        values = {k: str(v) for k, v in form.items() if k != "csrf"}
        # An empty date means "post now", the web form's only difference from chat's.
        values["when"] = "later" if values.get("day") else "now"

        def work() -> HTMLResponse:
            with sessions() as s, speaking(viewer):
                person = s.get(Person, viewer.person_id)
                assert person is not None
                form_def = announcements.announce_form(
                    announcements.programs_for_join(s, viewer.workspace_id), person.timezone)
                clean, errors = validate(form_def, values)
                draft = None
                if not errors:
                    draft, errors = announcements.create(s, person, clean, now=clock.now())
                if errors or draft is None:
                    s.rollback()
                    return announcements_page(viewer, 422, values=values, errors=errors)
                program = s.get(Program, draft.join_program_id) if draft.join_program_id \
                    else None
                when = _when(draft.post_at)
                s.commit()
                s.expunge_all()
            return announcements_page(viewer, draft=draft, program=program, when=when)

        return await asyncio.to_thread(work)

    @app.post("/admin/announcements/{announcement_id}/{verb}", include_in_schema=False)
    async def announcements_decide(request: Request, announcement_id: str,
                                   verb: str) -> Response:
        viewer, _form, refused = await posted(request)
        if refused or viewer is None:
            return refused or denied()
        pk = parse_id(announcement_id)
        if verb not in ("confirm", "cancel") or pk is None:
            return not_found(viewer)

        def work() -> HTMLResponse:
            with sessions() as s, speaking(viewer):
                a = s.get(Announcement, pk)
                person = s.get(Person, viewer.person_id)
                if a is None or person is None or a.workspace_id != viewer.workspace_id or \
                        a.status not in (AnnouncementStatus.DRAFT, AnnouncementStatus.SCHEDULED):
                    notice = _("That announcement was already posted or cancelled.")
                elif verb == "confirm":
                    notice = announcements.confirm(s, a, person, now=clock.now())
                else:
                    notice = announcements.cancel(s, a, person, now=clock.now())
                s.commit()
            return announcements_page(viewer, notice=notice.replace("`", ""))

        return await asyncio.to_thread(work)

    def _program_report(viewer: Viewer, program_id: int, fmt: str) \
            -> tuple[str, bytes | str, int] | None:
        """The program's name, its report in ``fmt`` ("page": the admin page's fragment) and
        its replacement cost, or None when it is not this admin's workspace's program."""
        from core.reports.html import render_html
        from core.reports.metrics import build_report
        from core.reports.render import render as render_report

        # The report is built and drawn in the admin's language, as the chat digest is.
        with sessions() as s, speaking(viewer):
            program = s.get(Program, program_id)
            if program is None or program.workspace_id != viewer.workspace_id:
                return None
            report = build_report(s, program, now=clock.now())
            cost = program.replacement_cost
            s.rollback()  # a report only reads
            body = render_html(report, fragment=True) if fmt == "page" \
                else render_report(report, fmt)
        return report.program, body, cost

    def not_found(viewer: Viewer) -> HTMLResponse:
        # Another workspace's program answers exactly as a missing one: ids reveal nothing.
        with speaking(viewer):
            return HTMLResponse(_("Not found"), status_code=404)

    async def report_page(viewer: Viewer, program_id: int, status: int = 200,
                          **context: Any) -> Response:
        found = await asyncio.to_thread(_program_report, viewer, program_id, "page")
        if found is None:
            return not_found(viewer)
        name, body, cost = found
        context.setdefault("replacement_cost", cost)
        with speaking(viewer):
            return html("report", status, title=_("Report: {program}").format(program=name),
                        viewer=viewer, program_id=program_id, downloads=DOWNLOADS,
                        max_cost=MAX_REPLACEMENT_COST,
                        # The fragment is the report renderer's own autoescaped template output.
                        report_html=Markup(body), **context)

    @app.get("/admin/programs/{program_id}/report", response_class=HTMLResponse,
             include_in_schema=False)
    async def program_report(request: Request, program_id: str, saved: str = "") -> Response:
        viewer = await current(request)
        if viewer is None:
            return denied()
        pk = parse_id(program_id)
        if pk is None:
            return not_found(viewer)
        with speaking(viewer):
            notice = _("Saved: the report below uses the new replacement cost.") if saved \
                else None
        return await report_page(viewer, pk, notice=notice)

    @app.get("/admin/programs/{program_id}/report.{fmt}", include_in_schema=False)
    async def program_report_file(request: Request, program_id: str, fmt: str) -> Response:
        from core.reports.render import CONTENT_TYPES, FORMATS, slug

        viewer = await current(request)
        if viewer is None:
            return denied()
        pk = parse_id(program_id)
        if fmt not in FORMATS or pk is None:
            return not_found(viewer)
        found = await asyncio.to_thread(_program_report, viewer, pk, fmt)
        if found is None:
            return not_found(viewer)
        name, body, _cost = found
        assert isinstance(body, bytes)
        # The name is slugged to ASCII, so it is safe inside the header's quotes.
        attachment = f"report-{slug(name)}.{fmt}"
        return Response(body, media_type=CONTENT_TYPES[fmt], headers={
            "Content-Disposition": f'attachment; filename="{attachment}"',
            "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"})

    @app.post("/admin/programs/{program_id}/report", include_in_schema=False)
    async def program_report_cost(request: Request, program_id: str) -> Response:
        viewer, form, refused = await posted(request)
        if refused or viewer is None:
            return refused or denied()
        pk = parse_id(program_id)
        if pk is None:
            return not_found(viewer)
        raw = str(form.get("replacement_cost") or "").strip().replace(",", "")[:40]
        # ASCII digits only: int() would also read "٣" or "1_000".
        cost = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else -1
        if not 0 <= cost <= MAX_REPLACEMENT_COST:
            with speaking(viewer):
                problem = _("Enter a whole amount from 0 to {most}.").format(
                    most=format_number(MAX_REPLACEMENT_COST))
            return await report_page(viewer, pk, 422, replacement_cost=raw, problem=problem)

        def work() -> bool:
            with sessions() as s:
                program = s.get(Program, pk)
                actor = s.get(Person, viewer.person_id)
                if program is None or actor is None or \
                        program.workspace_id != viewer.workspace_id:
                    return False
                if program.replacement_cost != cost:
                    record(s, actor, "program replacement cost (web)", now=clock.now(),
                           program_id=program.id, old=program.replacement_cost, new=cost)
                    program.replacement_cost = cost
                s.commit()
                return True

        if not await asyncio.to_thread(work):
            return not_found(viewer)
        # Post, redirect, get: reloading the report does not send the form again.
        return RedirectResponse(f"/admin/programs/{pk}/report?saved=1",
                                status_code=303)
