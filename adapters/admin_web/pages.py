"""The admin page's HTML: Jinja templates with autoescape, kept in code so no data files ship.

Every word is ``_("...")``: core's catalogs, in the language being written (the signed-in
admin's; ``mount`` sets it). ``python -m core.i18n.extract`` reads these templates' messages.
"""

from __future__ import annotations

from typing import Any

from jinja2 import DictLoader, Environment, select_autoescape
from markupsafe import Markup

from core import i18n
from core.i18n import gettext as _
from core.i18n import ngettext
from core.ui import FieldKind

_BASE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ _("{page} · Mentorbot admin").format(page=title) }}</title>
<style>
:root { --ink:#1f2933; --muted:#616e7c; --line:#d9e2ec; --accent:#2f6fed; --bad:#c62828; }
* { box-sizing: border-box; }
body { margin:0; font:15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif;
       color:var(--ink); background:#f5f7fa; }
header { background:#fff; border-bottom:1px solid var(--line); padding:.75rem 1.5rem;
         display:flex; gap:1.5rem; align-items:center; }
header strong { margin-right:auto; }
header a { color:var(--ink); text-decoration:none; }
header a:hover { color:var(--accent); }
main { max-width:960px; margin:1.5rem auto; padding:0 1.5rem; }
.card { background:#fff; border:1px solid var(--line); border-radius:8px; padding:1.25rem; }
table { width:100%; border-collapse:collapse; }
th, td { text-align:left; padding:.5rem .6rem; border-bottom:1px solid var(--line); }
th { color:var(--muted); font-weight:600; font-size:.85rem; }
.badge { display:inline-block; padding:0 .5rem; border-radius:999px; font-size:.8rem;
         background:#e4ecfc; }
.badge.draft { background:#eee; } .badge.running { background:#dff5e3; }
.badge.ended { background:#fde8e8; }
label { display:block; font-weight:600; margin:.9rem 0 .25rem; }
input[type=text], input[type=number], input[type=date], input[type=search], select, textarea {
  width:100%; padding:.45rem .55rem; border:1px solid var(--line); border-radius:6px;
  font:inherit; }
textarea { min-height:4.5rem; }
.check label { display:inline; font-weight:normal; }
.error { color:var(--bad); font-size:.9rem; }
.notice { background:#e8f5e9; border:1px solid #b7dfb9; padding:.6rem .9rem;
          border-radius:6px; margin-bottom:1rem; }
.problem { background:#fdecea; border:1px solid #f5c2c0; padding:.6rem .9rem;
           border-radius:6px; margin-bottom:1rem; }
button, .button { background:var(--accent); color:#fff; border:0; border-radius:6px;
  padding:.5rem 1rem; font:inherit; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary { background:#fff; color:var(--ink); border:1px solid var(--line); }
.row { display:flex; gap:.75rem; align-items:end; }
.row > * { flex:1; } .row > button { flex:0; }
.muted { color:var(--muted); }
code { background:#eef2f7; padding:.1rem .35rem; border-radius:4px; }
</style></head>
<body>
{% if viewer %}<header><strong>{{ _("Mentorbot admin") }}</strong>
<a href="/admin">{{ _("Programs") }}</a><a href="/admin/people">{{ _("People") }}</a>
<a href="/admin/import">{{ _("Import") }}</a>
<a href="/admin/announcements">{{ _("Announcements") }}</a>
<span class="muted">{{ viewer.name }}</span>
<form method="post" action="/admin/logout" style="margin:0"><input type="hidden" name="csrf"
 value="{{ viewer.csrf }}"><button class="secondary" type="submit">{{ _("Sign out") }}</button>
</form>
</header>{% endif %}
<main>{% block body %}{% endblock %}</main>
</body></html>
"""

_DENIED = """{% extends "base" %}{% block body %}
<div class="card"><h1>{{ _("Sign-in needed") }}</h1>
<p>{{ _("This page opens only from a one-time link, and links work once, for 15 minutes.") }}</p>
<p>{{ (_("Run {command} in chat to get a new link in a direct message.") | e).format(
  command=code("/mentor admin web")) }}</p>
</div>{% endblock %}
"""

_FORBIDDEN = """{% extends "base" %}{% block body %}
<div class="card"><h1>{{ _("Form expired") }}</h1>
<p>{{ _("This form was not sent from your current session. "
         "Go back, reload the page and try again.") }}</p></div>{% endblock %}
"""

_PROGRAMS = """{% extends "base" %}{% block body %}
{% if created %}<div class="notice">
{{ _("Created the draft program “{name}”.").format(name=created) }}</div>{% endif %}
<div class="row" style="align-items:center"><h1>{{ _("Programs") }}</h1>
<a class="button" style="flex:0;white-space:nowrap" href="/admin/programs/new">
{{ _("New program") }}</a>
</div>
<div class="card">{% if rows %}
<table><thead><tr><th>{{ _("Name") }}</th><th>{{ _("Kind") }}</th><th>{{ _("Status") }}</th>
<th>{{ _("Enrolled") }}</th><th></th></tr>
</thead>
<tbody>{% for p, count in rows %}<tr><td>{{ p.name }}</td><td>{{ _(kinds[p.kind.value]) }}</td>
<td><span class="badge {{ p.status.value }}">{{ _(statuses[p.status.value]) }}</span></td>
<td>{{ number(count) }}</td>
<td><a href="/admin/programs/{{ p.id }}/report">{{ _("Report") }}</a></td></tr>
{% endfor %}</tbody></table>
{% else %}<p class="muted">{{ _("No programs yet.") }}</p>{% endif %}</div>
{% endblock %}
"""

_NEW_PROGRAM = """{% extends "base" %}{% block body %}
<h1>{{ _("New program") }}</h1>
<form method="get" action="/admin/programs/new" class="card" style="margin-bottom:1rem">
<div class="row"><div><label for="template">{{ _("Start from a template") }}</label>
<select id="template" name="template"><option value="">{{ _("Blank") }}</option>
{% for t in templates %}<option value="{{ t.key }}"{% if t.key == template %} selected{% endif %}>
{{ _(t.label) }}</option>{% endfor %}</select></div>
<button class="secondary" type="submit">{{ _("Use template") }}</button></div>
</form>
<form method="post" action="/admin/programs/new" class="card">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<input type="hidden" name="template" value="{{ template }}">
{% if errors %}<div class="problem">{{ _("Please fix the fields marked below.") }}</div>{% endif %}
{% for f in fields %}
{% set value = values.get(f.name, f.initial) %}
{% if f.kind == "checkbox" %}
<div class="check"><label style="display:block;margin-top:.9rem">
<input type="checkbox" id="f-{{ f.name }}" name="{{ f.name }}" value="on"
{% if value in (true, "on", "true", "1") %} checked{% endif %}> {{ f.label }}</label></div>
{% else %}
<label for="f-{{ f.name }}">{{ f.label }}{% if f.required %} *{% endif %}</label>
{% if f.kind == "single_select" %}
<select id="f-{{ f.name }}" name="{{ f.name }}">{% for o in f.options %}
<option value="{{ o.value }}"{% if o.value == value %} selected{% endif %}>{{ o.label }}</option>
{% endfor %}</select>
{% elif f.kind == "long_text" %}
<textarea id="f-{{ f.name }}" name="{{ f.name }}"
{% if f.max_length %} maxlength="{{ f.max_length }}"{% endif %}>{{ value or "" }}</textarea>
{% else %}
<input id="f-{{ f.name }}" name="{{ f.name }}" type="{{ input_types.get(f.kind, 'text') }}"
 value="{{ value if value is not none else '' }}"
{% if f.min_value is not none %} min="{{ f.min_value }}"{% endif %}
{% if f.max_value is not none %} max="{{ f.max_value }}"{% endif %}
{% if f.max_length %} maxlength="{{ f.max_length }}"{% endif %}>
{% endif %}{% endif %}
{% if errors.get(f.name) %}<div class="error" id="error-{{ f.name }}">{{ errors[f.name] }}</div>
{% endif %}{% endfor %}
<p><button type="submit">{{ submit_label }}</button>
<a href="/admin" style="margin-left:1rem">{{ _("Cancel") }}</a></p>
</form>{% endblock %}
"""

_PEOPLE = """{% extends "base" %}{% block body %}
<h1>{{ _("People") }}</h1>
<form method="get" action="/admin/people" class="card row" style="margin-bottom:1rem">
<div><label for="q">{{ _("Name or email") }}</label>
<input id="q" type="search" name="q" value="{{ q }}"></div>
<button type="submit">{{ _("Search") }}</button></form>
<div class="card"><p class="muted">{{ ngettext("{n} person", "{n} people", total).format(
  n=number(total)) }}
{% if pages > 1 %}· {{ _("page {page} of {pages}").format(page=page, pages=pages) }}{% endif %}</p>
{% if rows %}<table><thead><tr><th>{{ _("Name") }}</th><th>{{ _("Email") }}</th>
<th>{{ _("Job title") }}</th><th>{{ _("Department") }}</th>
<th>{{ _("Status") }}</th></tr></thead><tbody>{% for p in rows %}<tr><td>{{ p.name }}</td>
<td>{{ p.email or "" }}</td><td>{{ p.title }}</td><td>{{ p.department }}</td>
<td>{{ _("active") if p.active else _("inactive") }}</td></tr>{% endfor %}</tbody></table>
{% endif %}
<p>{% if page > 1 %}<a href="/admin/people?{{ query(page - 1) }}">{{ _("← Previous") }}</a>
{% endif %}
{% if page < pages %}<a style="margin-left:1rem" href="/admin/people?{{ query(page + 1) }}">
{{ _("Next →") }}</a>{% endif %}</p></div>
{% endblock %}
"""

_IMPORT = """{% extends "base" %}{% block body %}
<h1>{{ _("Import people") }}</h1>
{% if result %}<div class="card" style="margin-bottom:1rem" id="result">
{% if result.errors %}<div class="problem"><strong>{{ _("Nothing was imported:") }}</strong>
{{ ngettext("fix {n} row below and upload again.",
            "fix {n} rows below and upload again.",
            result.errors|length).format(n=number(result.errors|length)) }}</div>
<ul>{% for e in result.errors %}<li class="error">{{ e }}</li>{% endfor %}</ul>
{% else %}
<div class="{{ 'notice' if applied else 'problem' }}">{% if applied %}
{{ _("Imported: the changes below were saved.") }}{% else %}
{{ _("Dry run: nothing was changed.") }}{% endif %}</div>
{% for label, names in ((_("New"), result.new), (_("Changed"), result.changed),
                        (_("Deactivated"), result.deactivated)) %}
<h3>{{ _("{what}: {n}").format(what=label, n=number(names|length)) }}</h3>
{% if names %}<ul>{% for n in names[:50] %}<li>{{ n }}</li>{% endfor %}
{% if names|length > 50 %}<li class="muted">
{{ _("…and {n} more").format(n=number(names|length - 50)) }}</li>{% endif %}</ul>{% endif %}
{% endfor %}
<p>{{ _("Unchanged: {n}").format(n=number(result.unchanged)) }}</p>
{% for w in result.warnings %}<p class="muted">⚠ {{ w }}</p>{% endfor %}
{% endif %}</div>{% endif %}
{% if problem %}<div class="problem">{{ problem }}</div>{% endif %}
<form method="post" action="/admin/import" enctype="multipart/form-data" class="card">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<label for="file">{{ _("HRIS export (CSV)") }}</label><input id="file" type="file" name="file"
 accept=".csv,text/csv" required>
<label for="preset">{{ _("Column names of") }}</label><select id="preset" name="preset">
{% for p in presets %}<option value="{{ p }}"{% if p == preset %} selected{% endif %}>{{ p }}
</option>{% endfor %}</select>
<div class="check"><label style="display:block;margin-top:.9rem"><input type="checkbox"
 name="dry_run" value="on"{% if dry_run %} checked{% endif %}>
 {{ _("Dry run: show the diff, change nothing") }}</label></div>
<div class="check"><label style="display:block"><input type="checkbox" name="keep_missing"
 value="on"{% if keep_missing %} checked{% endif %}>
 {{ _("Don't deactivate people missing from the file") }}</label></div>
<p class="muted">{{ _("All or nothing: one bad row and no one is imported.") }}</p>
<p><button type="submit">{{ _("Upload") }}</button></p>
</form>{% endblock %}
"""

_ANNOUNCEMENTS = """{% extends "base" %}{% block body %}
<h1>{{ _("Announcements") }}</h1>
{% if notice %}<p class="card">{{ notice }}</p>{% endif %}
{% if draft %}<div class="card"><h2>{{ _("Preview") }}</h2>
<p class="muted">{{ _("To {channels}, {when}").format(channels=draft.channels | join(", "),
                                                       when=when) }}</p>
<blockquote>{{ draft.text }}</blockquote>
{% if program %}<p><span class="muted">{{ _("With a button:") }}</span>
{{ _("Join {program}").format(program=program.name) }}</p>{% endif %}
<form method="post" action="/admin/announcements/{{ draft.id }}/confirm" class="row">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<button type="submit">{{ _("Post now") if not draft.post_at else _("Schedule") }}</button></form>
<form method="post" action="/admin/announcements/{{ draft.id }}/cancel" class="row">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<button type="submit">{{ _("Discard") }}</button></form></div>{% endif %}
<form method="post" action="/admin/announcements" class="card">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<h2>{{ _("New announcement") }}</h2>
{% for f in fields %}<div class="field"><label for="{{ f.name }}">{{ f.label }}</label>
{% if f.kind.value == "long_text" %}<textarea id="{{ f.name }}" name="{{ f.name }}" rows="4">
{{ values.get(f.name, "") }}</textarea>
{% elif f.options %}<select id="{{ f.name }}" name="{{ f.name }}"><option value="">—</option>
{% for o in f.options %}<option value="{{ o.value }}"{% if values.get(f.name, f.initial) == o.value
%} selected{% endif %}>{{ o.label }}</option>{% endfor %}</select>
{% else %}<input id="{{ f.name }}" name="{{ f.name }}" type="{{ input_types.get(f.kind, "text") }}"
 value="{{ values.get(f.name, "") }}">{% endif %}
{% if errors.get(f.name) %}<p class="error">{{ errors[f.name] }}</p>{% endif %}</div>
{% endfor %}<p><button type="submit">{{ _("Preview") }}</button></p></form>
<div class="card"><h2>{{ _("Scheduled") }}</h2>{% if not scheduled %}
<p class="muted">{{ _("Nothing scheduled.") }}</p>
{% endif %}{% for a in scheduled %}<div class="row">
<p>{{ scheduled_when[a.id] }} → {{ a.channels | join(", ") }}: {{ a.text[:120] }}</p>
<form method="post" action="/admin/announcements/{{ a.id }}/cancel">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<button type="submit">{{ _("Cancel") }}</button></form></div>{% endfor %}</div>
{% endblock %}
"""

_REPORT = """{% extends "base" %}{% block body %}
{% if notice %}<div class="notice">{{ notice }}</div>{% endif %}
{% if problem %}<div class="problem">{{ problem }}</div>{% endif %}
<div class="card" style="margin-bottom:1rem">
<div class="row" style="align-items:center"><p style="margin:0">
<a href="/admin">{{ _("← Programs") }}</a>
</p><p style="margin:0;text-align:right">{{ _("Download:") }}
{% for fmt, label in downloads %}<a class="button" style="margin-left:.4rem"
 href="/admin/programs/{{ program_id }}/report.{{ fmt }}">{{ label }}</a>{% endfor %}</p></div>
<form method="post" action="/admin/programs/{{ program_id }}/report" class="row"
 style="margin-top:.75rem">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<div><label for="replacement_cost">
{{ _("Replacement cost of one employee (the saving's assumption)") }}</label>
<input id="replacement_cost" name="replacement_cost" type="number" min="0" max="{{ max_cost }}"
 step="1000" value="{{ replacement_cost }}" required></div>
<button type="submit">{{ _("Save and recalculate") }}</button></form>
</div>
{{ report_html }}
{% endblock %}
"""

_ENV = Environment(
    loader=DictLoader({"base": _BASE, "denied": _DENIED, "forbidden": _FORBIDDEN,
                       "programs": _PROGRAMS, "new_program": _NEW_PROGRAM,
                       "people": _PEOPLE, "import": _IMPORT,
                       "announcements": _ANNOUNCEMENTS, "report": _REPORT}),
    # Every template is HTML: escape everything, whatever the template's name says.
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True, lstrip_blocks=True,
)
INPUT_TYPES = {FieldKind.NUMBER: "number", FieldKind.DATE: "date", FieldKind.TIME: "time"}


def render(name: str, **context: Any) -> str:
    """Render one page; a ``viewer`` (the signed-in admin) shows the navigation."""
    context.setdefault("viewer", None)
    context.setdefault("title", _("Admin"))
    return _ENV.get_template(name).render(input_types=INPUT_TYPES, lang=i18n.bcp47(),
                                          **context)


def _code(text: str) -> Markup:
    """A command inside a translated sentence, set as code (the sentence stays escaped)."""
    return Markup("<code>{}</code>").format(text)


def _number(n: int) -> str:
    return i18n.format_number(n)


# Words in the reader's language, read when each page is rendered.
_ENV.globals.update(_=_, ngettext=ngettext, code=_code, number=_number)
