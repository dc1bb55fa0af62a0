"""One Markdown parse, three renderers: what Slack, Teams and the web chat each receive for the
same neutral text, exactly. People's words are escaped for each platform; labelled links are
drawn only in an admin's text (``links=True``)."""

from __future__ import annotations

import pytest

from adapters.slack.mrkdwn import to_mrkdwn
from adapters.slack.render import SECTION_TEXT_MAX, message_to_blocks
from adapters.teams.cards import message_to_card
from adapters.teams.markdown import text_blocks, to_teams
from adapters.webchat.render import markdown, message_html
from core.models import Program, TrainingModule
from core.training.progress import Progress
from core.training.texts import module_message
from core.ui import Button, Buttons, Message, Section

A = ' target="_blank" rel="noopener noreferrer"'  # every web chat link opens safely

# (text, links drawn?, Slack mrkdwn, Teams TextBlock Markdown, web chat HTML)
CASES = [
    pytest.param(
        "**Spring** and *core's* bold", False,
        "*Spring* and *core's* bold",
        "**Spring** and **core's** bold",
        "<strong>Spring</strong> and <strong>core&#x27;s</strong> bold", id="bold"),
    pytest.param(
        "_soon_, not snake_case_name", False,
        "_soon_, not snake_case_name",
        "_soon_, not snake_case_name",
        "<em>soon</em>, not snake_case_name", id="italics"),
    pytest.param(
        "Type `/mentor join`", False,
        "Type `/mentor join`",
        "Type **mentor join**",  # no inline code in a TextBlock; Teams has no slash commands
        "Type <code>/mentor join</code>", id="code"),
    pytest.param(
        "Read [the guide](https://x.test/a?b=1&c=2).", True,
        "Read <https://x.test/a?b=1&amp;c=2|the guide>.",
        "Read [the guide](https://x.test/a?b=1&c=2).",
        f'Read <a href="https://x.test/a?b=1&amp;c=2"{A}>the guide</a>.', id="link"),
    pytest.param(
        "See https://x.test/p_q. or mailto:a@x.test", False,
        "See https://x.test/p_q. or mailto:a@x.test",
        "See https://x.test/p_q. or mailto:a@x.test",
        f'See <a href="https://x.test/p_q"{A}>https://x.test/p_q</a>. or '
        f'<a href="mailto:a@x.test"{A}>mailto:a@x.test</a>', id="bare-links"),
    pytest.param(
        "You get:\n- a mentor\n  - for six months\n- *six* sessions", False,
        "You get:\n• a mentor\n    ◦ for six months\n• *six* sessions",
        "You get:\n\n- a mentor\n  - for six months\n- **six** sessions",
        "You get:<ul><li>a mentor<ul><li>for six months</li></ul></li>"
        "<li><strong>six</strong> sessions</li></ul>", id="nested-list"),
    pytest.param(
        "Steps:\n1. join\n2. meet\nDone.", False,
        "Steps:\n1. join\n2. meet\nDone.",
        "Steps:\n\n1. join\n2. meet\n\nDone.",
        "Steps:<ol><li>join</li><li>meet</li></ol>Done.", id="numbered-list"),
    pytest.param(
        "Your matches:\n• Ana\n• Ben", False,
        "Your matches:\n• Ana\n• Ben",
        "Your matches:\n\n- Ana\n- Ben",
        "Your matches:<ul><li>Ana</li><li>Ben</li></ul>", id="chat-bullets"),
    pytest.param(
        "one\ntwo\n\nthree", False,
        "one\ntwo\n\nthree",
        "one\n\ntwo\n\nthree",  # a single break would join the lines in a TextBlock
        "one<br>two<br><br>three", id="line-breaks"),
    pytest.param(
        "`/mentor pause <weeks>` in <program>", False,
        "`/mentor pause &lt;weeks&gt;` in &lt;program&gt;",
        "**mentor pause &lt;weeks&gt;** in &lt;program&gt;",
        "<code>/mentor pause &lt;weeks&gt;</code> in &lt;program&gt;", id="placeholders"),
    pytest.param(
        "<script>alert(1)</script><img src=x onerror=alert(1)>", True,
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
        "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;",
        id="script"),
    pytest.param(
        "[x](javascript:alert(1)) javascript:alert(1)", True,
        "[x](javascript:alert(1)) javascript:alert(1)",
        "[x]\u200b(javascript:alert(1)) javascript:alert(1)",
        "[x](javascript:alert(1)) javascript:alert(1)", id="javascript-link"),
    pytest.param(
        "Q&A & more &amp;", False,
        "Q&amp;A &amp; more &amp;amp;",
        "Q&A & more &amp;amp;",  # shown as typed: Teams would read "&amp;" as "&"
        "Q&amp;A &amp; more &amp;amp;", id="ampersand"),
    pytest.param(
        "<!channel> <@U123> <https://evil.test|re-verify>", True,
        "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.test|re-verify&gt;",
        "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil.test|re-verify&gt;",
        f'&lt;!channel&gt; &lt;@U123&gt; &lt;<a href="https://evil.test%7Cre-verify"{A}>'
        "https://evil.test|re-verify</a>&gt;", id="mrkdwn-control"),
    pytest.param(
        "[Re-verify your account](https://evil.test/x)", False,
        "[Re-verify your account](https://evil.test/x)",
        "[Re-verify your account]\u200b(https://evil.test/x)",
        f'[Re-verify your account](<a href="https://evil.test/x"{A}>https://evil.test/x</a>)',
        id="disguised-link-in-people-s-words"),
    pytest.param(
        "**bold\nacross** lines", False,
        "*bold\nacross* lines",
        "**bold**\n\n**across** lines",
        "<strong>bold<br>across</strong> lines", id="bold-across-a-break"),
]


@pytest.mark.parametrize(("text", "links", "slack", "teams", "web"), CASES)
def test_each_renderer_shows_the_same_text_its_own_way(
        text: str, links: bool, slack: str, teams: str, web: str) -> None:
    assert to_mrkdwn(text, links=links) == slack
    assert to_teams(text, links=links) == teams
    assert markdown(text, links=links) == web


ANNOUNCEMENT = ("**Spring cohort** is open!\nYou get:\n- a mentor\n- a session every two weeks\n"
                "Read [the guide](https://intranet.test/mentoring).")


def test_an_announcement_section_keeps_its_list_and_link_on_all_three() -> None:
    message = Message(ANNOUNCEMENT, [Section(ANNOUNCEMENT, links=True)])
    [block] = message_to_blocks(message)
    assert block["text"]["text"] == (
        "*Spring cohort* is open!\nYou get:\n• a mentor\n• a session every two weeks\n"
        "Read <https://intranet.test/mentoring|the guide>.")
    [container] = message_to_card(message)["body"]
    assert [(b["text"], b.get("spacing")) for b in container["items"]] == [
        ("**Spring cohort** is open!", None), ("You get:", "None"),
        ("- a mentor\n- a session every two weeks", "None"),
        ("Read [the guide](https://intranet.test/mentoring).", "None")]
    assert message_html(message) == (
        '<div class="msg bot"><div class="section"><strong>Spring cohort</strong> is open!'
        "<br>You get:<ul><li>a mentor</li><li>a session every two weeks</li></ul>"
        f'Read <a href="https://intranet.test/mentoring"{A}>the guide</a>.</div></div>')


def test_a_plain_section_keeps_people_s_labelled_links_as_typed() -> None:
    message = Message("x", [Section("Goals: [Re-verify](https://evil.test/x)")])
    assert message_to_blocks(message)[0]["text"]["text"] == (
        "Goals: [Re-verify](https://evil.test/x)")
    assert "](https://evil" not in message_to_card(message)["body"][0]["text"]
    assert ">Re-verify</a>" not in message_html(message)


def test_teams_gives_each_line_its_block_and_a_code_block_monospace() -> None:
    card = text_blocks("Try:\n```\nmentor join\nmentor status\n```\n\nThanks", isSubtle=True)
    assert card["items"] == [
        {"type": "TextBlock", "text": "Try:", "wrap": True, "isSubtle": True},
        {"type": "TextBlock", "text": "mentor join\n\nmentor status", "wrap": True,
         "isSubtle": True, "fontType": "Monospace", "spacing": "None"},
        {"type": "TextBlock", "text": "Thanks", "wrap": True, "isSubtle": True,
         "spacing": "Medium"}]


def test_slack_text_is_cut_to_fit_without_halving_an_entity_or_a_link() -> None:
    text = "<&>" * 2000 + " [the guide](https://x.test/guide)"
    [block] = message_to_blocks(Message(text, [Section(text, links=True)]))
    shown = block["text"]["text"]
    assert len(shown) <= SECTION_TEXT_MAX and shown.endswith("…")
    assert shown.replace("&lt;", "").replace("&amp;", "").replace("&gt;", "") == "…"


@pytest.mark.parametrize("text", [
    "*" * 1500 + "a" + "*" * 1500,  # would nest 750 bold levels: flattened past 8
    "*_" * 700 + "a" + "_*" * 700,
    "[" * 1000 + "a](https://x.test)" * 1000,
    "\n".join("  " * i + "- x" for i in range(1000)),
], ids=["stars", "stars-and-underscores", "brackets", "deep-list"])
def test_hostile_nesting_renders_on_all_three(text: str) -> None:
    """A person's 3,000 characters never make a renderer recurse past Python's limit (the
    outbox would retry a message that can never be drawn)."""
    for render in (to_mrkdwn, to_teams, markdown):
        assert "a" in render(text, links=True) or "x" in render(text, links=True)


def test_web_chat_link_buttons_open_safely_and_only_for_web_addresses() -> None:
    html = message_html(Message("x", [Buttons([
        Button("Guide", "link.open", url="https://x.test/g"),
        Button("Evil", "link.open", url="javascript:alert(1)")])]))
    assert f'href="https://x.test/g"{A}>Guide</a>' in html
    assert "javascript:" not in html


def test_a_training_module_s_labelled_link_is_a_link_on_all_three() -> None:
    """A course is written by the project or an admin, like an announcement."""
    program = Program(name="Leadership 1:1")
    module = TrainingModule(id=1, title="Listening", position=1, link=None,
                            body="Read [the guide](https://intranet.test/listen) first.")
    message = module_message(module, Progress(program, 0, 1, module, (module,)), "slack")
    assert "<https://intranet.test/listen|the guide>" in str(message_to_blocks(message))
    assert "[the guide](https://intranet.test/listen)" in str(message_to_card(message))
    assert f'<a href="https://intranet.test/listen"{A}>the guide</a>' in message_html(message)
