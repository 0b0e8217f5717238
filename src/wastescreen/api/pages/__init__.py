"""The reviewer's and the agency's web pages: server-rendered HTML, usable without JavaScript,
Vietnamese by default. One router per page; ``layout`` and ``auth`` are what they share."""

from __future__ import annotations

from fastapi import APIRouter

from wastescreen.api.pages import (
    batch,
    flags,
    indicators,
    login,
    mine,
    model_card,
    portfolio,
    queue,
    revise,
    screening,
    submit,
)

ROUTERS: tuple[APIRouter, ...] = (login.router, queue.router, screening.router, submit.router,
                                  mine.router, revise.router,
                                  batch.router, portfolio.router, indicators.router,
                                  flags.router, model_card.router)
