"""The component kit every page (and the consoles) builds on, after the Digital Agency design system:
buttons in three weights, notification banners, form fields with their error under the field, an
error summary that takes the focus, step navigation and a status badge.

Each function returns escaped HTML; text arguments are plain text (escaped here), ``*_html``
arguments are HTML the caller built. Meaning never rests on colour alone: banners and badges carry
a sign (✓ ✕ !) and a word.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Literal

Weight = Literal["primary", "secondary", "tertiary"]
Tone = Literal["success", "error", "info", "warning"]
SIGNS: dict[Tone, str] = {"success": "✓", "error": "✕", "info": "i", "warning": "!"}


def button(label: str, weight: Weight = "primary", kind: str = "submit", attrs: str = "") -> str:
    return f'<button type="{kind}" class="btn btn-{weight}"{attrs}>{escape(label)}</button>'


def link_button(href: str, label: str, weight: Weight = "primary") -> str:
    return f'<a class="btn btn-{weight}" href="{escape(href)}">{escape(label)}</a>'


def banner(tone: Tone, title: str, body_html: str = "", live: bool = True) -> str:
    """A notification banner; errors are alerts, the rest polite status messages."""
    role = ""
    if live:
        role = ' role="alert"' if tone == "error" else ' role="status"'
    body = f"<div>{body_html}</div>" if body_html else ""
    return (
        f'<div class="banner banner-{tone}"{role}><span class="banner-sign" aria-hidden="true">'
        f'{SIGNS[tone]}</span><div><p class="banner-title">{escape(title)}</p>{body}</div></div>'
    )


def badge(tone: Tone, label: str) -> str:
    return f'<span class="badge badge-{tone}">{SIGNS[tone]} {escape(label)}</span>'


@dataclass(frozen=True)
class Problem:
    """One field's error: the field's id and what to do."""

    field: str
    message: str


def error_summary(title: str, problems: Sequence[Problem]) -> str:
    """The errors at the top of a form, each a link to its field; it takes the focus when the page
    loads (autofocus on a focusable element: no script needed)."""
    if not problems:
        return ""
    items = "".join(f'<li><a href="#{escape(p.field)}">{escape(p.message)}</a></li>' for p in problems)
    return (
        f'<div class="banner banner-error error-summary" role="alert" tabindex="-1" autofocus>'
        f'<span class="banner-sign" aria-hidden="true">✕</span><div><p class="banner-title">'
        f"{escape(title)}</p><ul>{items}</ul></div></div>"
    )


def field(
    field_id: str,
    label: str,
    *,
    name: str = "",
    kind: str = "text",
    value: str = "",
    hint: str = "",
    problem: Problem | None = None,
    attrs: str = "",
) -> str:
    """A labelled input with its hint above and its error under it (aria-describedby names both)."""
    described = []
    hint_html = ""
    if hint:
        hint_html = f'<p class="hint" id="{field_id}-hint">{escape(hint)}</p>'
        described.append(f"{field_id}-hint")
    error_html = ""
    invalid = ""
    if problem is not None:
        error_html = f'<p class="field-error" id="{field_id}-error">{escape(problem.message)}</p>'
        described.append(f"{field_id}-error")
        invalid = ' aria-invalid="true"'
    by = f' aria-describedby="{" ".join(described)}"' if described else ""
    value_attr = f' value="{escape(value)}"' if value else ""
    return (
        f'<div class="field{" field-invalid" if problem else ""}">'
        f'<label for="{field_id}">{escape(label)}</label>'
        f'{hint_html}<input id="{field_id}" name="{escape(name or field_id)}" type="{kind}"'
        f"{value_attr}{invalid}{by}{attrs}>{error_html}</div>"
    )


def select(
    field_id: str,
    label: str,
    options: Sequence[tuple[str, str]],
    *,
    name: str = "",
    chosen: str = "",
    prompt: str = "",
    hint: str = "",
) -> str:
    """A labelled select; ``prompt`` adds a first, empty choice (nothing chosen by default); ``hint``
    is said under the label and read with the select."""
    first = f'<option value="">{escape(prompt)}</option>' if prompt else ""
    body = "".join(
        f'<option value="{escape(v)}"{" selected" if v == chosen else ""}>{escape(label_)}</option>'
        for v, label_ in options
    )
    described = f' aria-describedby="{field_id}-hint"' if hint else ""
    said = f'<p class="hint" id="{field_id}-hint">{escape(hint)}</p>' if hint else ""
    return (
        f'<div class="field"><label for="{field_id}">{escape(label)}</label>{said}'
        f'<select id="{field_id}" name="{escape(name or field_id)}"{described}>{first}{body}</select></div>'
    )


def steps(labels: Sequence[str], current: int) -> str:
    """Step navigation: where the person is (1-based ``current``) and what is left."""
    items = []
    for number, label in enumerate(labels, start=1):
        state = "done" if number < current else "current" if number == current else "todo"
        aria = ' aria-current="step"' if number == current else ""
        items.append(f'<li class="step step-{state}"{aria}><span>{number}</span> {escape(label)}</li>')
    return f'<ol class="steps">{"".join(items)}</ol>'


def confirm_box(label: str, name: str = "confirm") -> str:
    """The tick a form that cannot be undone asks for (the server checks it too)."""
    return (
        f'<label class="choice"><input type="checkbox" class="check" name="{escape(name)}" value="yes"'
        f" required> {escape(label)}</label>"
    )


def data_table(
    caption: str, head: tuple[str, ...], rows: Sequence[Sequence[str]], numeric_from: int = 1
) -> str:
    """A captioned table in a scrollable, focusable region; columns from ``numeric_from`` are numbers."""
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="{"num" if i >= numeric_from else ""}">{escape(c)}</td>' for i, c in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return (
        f'<div class="table-wrap" tabindex="0" role="region" aria-label="{escape(caption)}">'
        f"<table><caption>{escape(caption)}</caption>"
        f"<thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table></div>"
    )
