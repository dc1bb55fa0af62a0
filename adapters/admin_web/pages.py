"""The admin page's HTML: Jinja templates with autoescape, kept in code so no data files ship."""

from __future__ import annotations

from typing import Any

from jinja2 import DictLoader, Environment, select_autoescape

from core.ui import FieldKind

_BASE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }} · Mentorbot admin</title>
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
{% if viewer %}<header><strong>Mentorbot admin</strong>
<a href="/admin">Programs</a><a href="/admin/people">People</a><a href="/admin/import">Import</a>
<a href="/admin/announcements">Announcements</a>
<span class="muted">{{ viewer.name }}</span>
<form method="post" action="/admin/logout" style="margin:0"><input type="hidden" name="csrf"
 value="{{ viewer.csrf }}"><button class="secondary" type="submit">Sign out</button></form>
</header>{% endif %}
<main>{% block body %}{% endblock %}</main>
</body></html>
"""

_DENIED = """{% extends "base" %}{% block body %}
<div class="card"><h1>Sign-in needed</h1>
<p>This page opens only from a one-time link, and links work once, for 15 minutes.</p>
<p>Run <code>/mentor admin web</code> in chat to get a new link in a direct message.</p>
</div>{% endblock %}
"""

_FORBIDDEN = """{% extends "base" %}{% block body %}
<div class="card"><h1>Form expired</h1>
<p>This form was not sent from your current session. Go back, reload the page and try
again.</p></div>{% endblock %}
"""

_PROGRAMS = """{% extends "base" %}{% block body %}
{% if created %}<div class="notice">Created the draft program “{{ created }}”.</div>{% endif %}
<div class="row" style="align-items:center"><h1>Programs</h1>
<a class="button" style="flex:0;white-space:nowrap" href="/admin/programs/new">New program</a>
</div>
<div class="card">{% if rows %}
<table><thead><tr><th>Name</th><th>Kind</th><th>Status</th><th>Enrolled</th><th></th></tr>
</thead>
<tbody>{% for p, count in rows %}<tr><td>{{ p.name }}</td><td>{{ kinds[p.kind.value] }}</td>
<td><span class="badge {{ p.status.value }}">{{ p.status.value }}</span></td>
<td>{{ count }}</td><td><a href="/admin/programs/{{ p.id }}/report">Report</a></td></tr>
{% endfor %}</tbody></table>
{% else %}<p class="muted">No programs yet.</p>{% endif %}</div>
{% endblock %}
"""

_NEW_PROGRAM = """{% extends "base" %}{% block body %}
<h1>New program</h1>
<form method="get" action="/admin/programs/new" class="card" style="margin-bottom:1rem">
<div class="row"><div><label for="template">Start from a template</label>
<select id="template" name="template"><option value="">Blank</option>
{% for t in templates %}<option value="{{ t.key }}"{% if t.key == template %} selected{% endif %}>
{{ t.label }}</option>{% endfor %}</select></div>
<button class="secondary" type="submit">Use template</button></div>
</form>
<form method="post" action="/admin/programs/new" class="card">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<input type="hidden" name="template" value="{{ template }}">
{% if errors %}<div class="problem">Please fix the fields marked below.</div>{% endif %}
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
<a href="/admin" style="margin-left:1rem">Cancel</a></p>
</form>{% endblock %}
"""

_PEOPLE = """{% extends "base" %}{% block body %}
<h1>People</h1>
<form method="get" action="/admin/people" class="card row" style="margin-bottom:1rem">
<div><label for="q">Name or email</label>
<input id="q" type="search" name="q" value="{{ q }}"></div>
<button type="submit">Search</button></form>
<div class="card"><p class="muted">{{ total }} {{ "person" if total == 1 else "people" }}
{% if pages > 1 %}· page {{ page }} of {{ pages }}{% endif %}</p>
{% if rows %}<table><thead><tr><th>Name</th><th>Email</th><th>Title</th><th>Department</th>
<th>Status</th></tr></thead><tbody>{% for p in rows %}<tr><td>{{ p.name }}</td>
<td>{{ p.email or "" }}</td><td>{{ p.title }}</td><td>{{ p.department }}</td>
<td>{{ "active" if p.active else "inactive" }}</td></tr>{% endfor %}</tbody></table>{% endif %}
<p>{% if page > 1 %}<a href="/admin/people?{{ query(page - 1) }}">← Previous</a>{% endif %}
{% if page < pages %}<a style="margin-left:1rem" href="/admin/people?{{ query(page + 1) }}">
Next →</a>{% endif %}</p></div>
{% endblock %}
"""

_IMPORT = """{% extends "base" %}{% block body %}
<h1>Import people</h1>
{% if result %}<div class="card" style="margin-bottom:1rem" id="result">
{% if result.errors %}<div class="problem"><strong>Nothing was imported:</strong>
fix the {{ result.errors|length }} row(s) below and upload again.</div>
<ul>{% for e in result.errors %}<li class="error">{{ e }}</li>{% endfor %}</ul>
{% else %}
<div class="{{ 'notice' if applied else 'problem' }}">{% if applied %}Imported: the changes
below were saved.{% else %}Dry run: nothing was changed.{% endif %}</div>
{% for label, names in (("New", result.new), ("Changed", result.changed),
                        ("Deactivated", result.deactivated)) %}
<h3>{{ label }}: {{ names|length }}</h3>{% if names %}<ul>{% for n in names[:50] %}
<li>{{ n }}</li>{% endfor %}{% if names|length > 50 %}<li class="muted">…and
{{ names|length - 50 }} more</li>{% endif %}</ul>{% endif %}{% endfor %}
<p>Unchanged: {{ result.unchanged }}</p>
{% for w in result.warnings %}<p class="muted">⚠ {{ w }}</p>{% endfor %}
{% endif %}</div>{% endif %}
{% if problem %}<div class="problem">{{ problem }}</div>{% endif %}
<form method="post" action="/admin/import" enctype="multipart/form-data" class="card">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<label for="file">HRIS export (CSV)</label><input id="file" type="file" name="file"
 accept=".csv,text/csv" required>
<label for="preset">Column names of</label><select id="preset" name="preset">
{% for p in presets %}<option value="{{ p }}"{% if p == preset %} selected{% endif %}>{{ p }}
</option>{% endfor %}</select>
<div class="check"><label style="display:block;margin-top:.9rem"><input type="checkbox"
 name="dry_run" value="on"{% if dry_run %} checked{% endif %}> Dry run: show the diff,
 change nothing</label></div>
<div class="check"><label style="display:block"><input type="checkbox" name="keep_missing"
 value="on"{% if keep_missing %} checked{% endif %}> Don't deactivate people missing from the
 file</label></div>
<p class="muted">All or nothing: one bad row and no one is imported.</p>
<p><button type="submit">Upload</button></p>
</form>{% endblock %}
"""

_ANNOUNCEMENTS = """{% extends "base" %}{% block body %}
<h1>Announcements</h1>
{% if notice %}<p class="card">{{ notice }}</p>{% endif %}
{% if draft %}<div class="card"><h2>Preview</h2>
<p class="muted">To {{ draft.channels | join(", ") }}, {{ when }}</p>
<blockquote>{{ draft.text }}</blockquote>
{% if program %}<p><span class="muted">With a button:</span> Join {{ program.name }}</p>{% endif %}
<form method="post" action="/admin/announcements/{{ draft.id }}/confirm" class="row">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<button type="submit">{{ "Post now" if not draft.post_at else "Schedule" }}</button></form>
<form method="post" action="/admin/announcements/{{ draft.id }}/cancel" class="row">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<button type="submit">Discard</button></form></div>{% endif %}
<form method="post" action="/admin/announcements" class="card">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<h2>New announcement</h2>
{% for f in fields %}<div class="field"><label for="{{ f.name }}">{{ f.label }}</label>
{% if f.kind.value == "long_text" %}<textarea id="{{ f.name }}" name="{{ f.name }}" rows="4">
{{ values.get(f.name, "") }}</textarea>
{% elif f.options %}<select id="{{ f.name }}" name="{{ f.name }}"><option value="">—</option>
{% for o in f.options %}<option value="{{ o.value }}"{% if values.get(f.name, f.initial) == o.value
%} selected{% endif %}>{{ o.label }}</option>{% endfor %}</select>
{% else %}<input id="{{ f.name }}" name="{{ f.name }}" type="{{ input_types.get(f.kind, "text") }}"
 value="{{ values.get(f.name, "") }}">{% endif %}
{% if errors.get(f.name) %}<p class="error">{{ errors[f.name] }}</p>{% endif %}</div>
{% endfor %}<p><button type="submit">Preview</button></p></form>
<div class="card"><h2>Scheduled</h2>{% if not scheduled %}<p class="muted">Nothing scheduled.</p>
{% endif %}{% for a in scheduled %}<div class="row"><p>{{ a.post_at.strftime("%a %d %b %H:%M")
 if a.post_at else "now" }} UTC → {{ a.channels | join(", ") }}: {{ a.text[:120] }}</p>
<form method="post" action="/admin/announcements/{{ a.id }}/cancel">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<button type="submit">Cancel</button></form></div>{% endfor %}</div>
{% endblock %}
"""

_REPORT = """{% extends "base" %}{% block body %}
{% if notice %}<div class="notice">{{ notice }}</div>{% endif %}
{% if problem %}<div class="problem">{{ problem }}</div>{% endif %}
<div class="card" style="margin-bottom:1rem">
<div class="row" style="align-items:center"><p style="margin:0"><a href="/admin">← Programs</a>
</p><p style="margin:0;text-align:right">Download:
{% for fmt, label in downloads %}<a class="button" style="margin-left:.4rem"
 href="/admin/programs/{{ program_id }}/report.{{ fmt }}">{{ label }}</a>{% endfor %}</p></div>
<form method="post" action="/admin/programs/{{ program_id }}/report" class="row"
 style="margin-top:.75rem">
<input type="hidden" name="csrf" value="{{ viewer.csrf }}">
<div><label for="replacement_cost">Replacement cost of one employee (the saving's
assumption)</label>
<input id="replacement_cost" name="replacement_cost" type="number" min="0" max="{{ max_cost }}"
 step="1000" value="{{ replacement_cost }}" required></div>
<button type="submit">Save and recalculate</button></form>
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
    context.setdefault("title", "Admin")
    return _ENV.get_template(name).render(input_types=INPUT_TYPES, **context)
