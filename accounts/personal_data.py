"""What the shop holds about a person, gathered from every app that holds a part of it.

`accounts` imports no other app, so each app that keeps data about a user registers its part
here (from its AppConfig.ready): how to export it for the "Download my data" file, and what to
do with it when the account is deleted. The export and the deletion ask every part in turn.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PersonalDataPart:
    # The key of this part in the exported JSON.
    name: str
    # export(user) -> JSON-ready data; a fixed number of queries whatever the number of rows.
    export: Callable
    # erase(user): delete or detach the part, inside the deletion's transaction.
    erase: Callable


_parts: dict[str, PersonalDataPart] = {}


def register(name, *, export, erase):
    _parts[name] = PersonalDataPart(name, export, erase)


def registered_parts():
    return list(_parts.values())
