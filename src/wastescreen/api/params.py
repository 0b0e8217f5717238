"""One check for every route: no control character in a path or query parameter.

A NUL in ``/v1/screenings/a%00b`` or ``?agency=a%00b`` reached the database, which PostgreSQL
refuses with an error (a 500); no parameter of ours has a use for any control character. Run as
an app-wide dependency, after routing, so the refusal names the parameter (422, rule
``control_character``); pages show it as their 422 page.
"""

from __future__ import annotations

from fastapi import Request

from wastescreen.api.errors import ApiError
from wastescreen.core.labels.messages import msg
from wastescreen.core.text import control_character
from wastescreen.domain.errors import FieldError


def _refuse(name: str, char: str) -> ApiError:
    message = msg("control_character", name=name, char=char)
    return ApiError(422, "validation_error", message, field=name,
                    details=[FieldError(name, "control_character", str(message))])


async def no_control_characters(request: Request) -> None:
    """Raise a 422 ``ApiError`` naming the first path or query parameter (name or value) that
    holds a control character. (async: no I/O, so it runs on the event loop rather than
    taking a thread-pool hop on every request.)"""
    for name, value in request.path_params.items():
        char = control_character(str(value), parameter=True)
        if char is not None:
            raise _refuse(str(name), char)
    for name, value in request.query_params.multi_items():
        if (char := control_character(name, parameter=True)) is not None:
            raise _refuse("query", char)  # the parameter's own name is the bad part
        if (char := control_character(value, parameter=True)) is not None:
            raise _refuse(name, char)
