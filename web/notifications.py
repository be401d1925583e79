"""The e-mail choices as form fields, for the registration page and My Page alike: one field per
field of ``domain.residents.rules.Notifications``, named as in the GraphQL input (camelCase)."""

from collections.abc import Mapping
from dataclasses import asdict, fields

from domain.residents.rules import Notifications

LABELS = {  # every choice's label key (a new choice without one fails at import)
    "points_granted": "register.n_granted",
    "points_expired": "register.n_expired",
    "password_changed": "register.n_password",
    "my_key_id_changed": "register.n_id",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


NOTIFICATION_FIELDS = [(_camel(f.name), LABELS[f.name]) for f in fields(Notifications)]


def notifications_from_form(form: Mapping[str, str]) -> Notifications:
    """The choices a posted form ticked (a checkbox posts "on")."""
    return Notifications(**{f.name: form.get(_camel(f.name)) == "on" for f in fields(Notifications)})


def ticked(chosen: Notifications) -> list[tuple[str, str, bool]]:
    """(field name, label key, ticked) for each choice."""
    return [(_camel(name), LABELS[name], on) for name, on in asdict(chosen).items()]
