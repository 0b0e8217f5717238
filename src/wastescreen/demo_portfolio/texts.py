"""Coherent texts of the demo portfolio: titles, objectives, KPIs, summaries and people.

A text is built around a :class:`Subject` — a topic of the technology area, one of the uses that
topic is put to, and a pilot site — so its title, objectives and KPIs agree with one another and
with the project type. Everything comes as a ``(vi, en)`` pair; a proposal filed in English
takes the second element. Registry programs, historical proposals and the current cycle share
these functions, so the model is trained on the kind of text it later screens.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from wastescreen.demo_portfolio import vocabulary as voc
from wastescreen.demo_portfolio.vocabulary import Metric, Pair

GLOSS_SEPARATOR = " / "
EN = 1


@dataclass(frozen=True)
class Subject:
    """What a text is about: ``topic`` of the area, its ``use`` and the pilot ``site``."""

    area: str
    topic: Pair
    use: Pair
    site: str

    @property
    def core(self) -> Pair:
        """Topic and use, the words a title is made of ("nhận dạng tiếng nói ... cho ...")."""
        return f"{self.topic[0]} {self.use[0]}", f"{self.topic[1]} {self.use[1]}"


def pick_subject(area: str, site: str, rnd: random.Random) -> Subject:
    t = rnd.choice(voc.area(area).topics)
    return Subject(area, t.topic, rnd.choice(t.uses), site)


def fits(area: str, ptype: str) -> bool:
    """Whether texts of project type ``ptype`` make sense in ``area``."""
    return ptype not in voc.area(area).unfit_types


def title(subject: Subject, ptype: str) -> Pair:
    """The type's opening words, then the topic and its use."""
    prefix, core = voc.TYPES[ptype].title, subject.core
    return f"{prefix[0]} {core[0]}", f"{prefix[1]} {core[1]}"


def objectives(subject: Subject, ptype: str, n_sentences: int, rnd: random.Random) -> Pair:
    """``n_sentences`` (1–4) objective sentences of the type plus the focus sentence (use and
    pilot site) in second place. The first sentence states the type's purpose."""
    pool = voc.TYPES[ptype].objectives
    first = rnd.randrange(2)
    rest = list(range(2, len(pool)))  # the other purpose sentence would say it again
    chosen = [first, *rnd.sample(rest, min(max(n_sentences, 1) - 1, len(rest)))]
    vi: list[str] = []
    en: list[str] = []
    for k in chosen:
        s = pool[k]
        n = rnd.randint(*s.n_range) if s.n_range else 0
        vi.append(s.text[0].format(topic=subject.topic[0], n=n))
        en.append(s.text[1].format(topic=subject.topic[1], n=n))
    focus = voc.FOCUS
    vi.insert(1, focus[0].format(topic=subject.topic[0], use=subject.use[0], site=subject.site))
    en.insert(1, focus[1].format(topic=subject.topic[1], use=subject.use[1], site=subject.site))
    return " ".join(vi), " ".join(en)


def _target(m: Metric, rnd: random.Random) -> float:
    return float(rnd.randint(m.lo, m.hi))


def kpis(ptype: str, area: str, n: int, propensity: float, end: dt.date, rnd: random.Random,
         lang: int = 0) -> tuple[list[dict[str, Any]], int]:
    """``n`` KPIs of the type and the area; each is measurable (target and deadline) with
    probability ``propensity``, else vague (no target) or without a deadline. Returns the KPIs
    and how many are measurable."""
    pool = [*voc.TYPES[ptype].kpis, *voc.area(area).metrics]
    picked = rnd.sample(pool, min(n, len(pool))) + [rnd.choice(pool) for _ in range(n - len(pool))]
    out: list[dict[str, Any]] = []
    measurable = 0
    for m in picked:
        metric, unit, target = m.metric[lang], m.unit[lang], _target(m, rnd)
        if rnd.random() < propensity:
            deadline = end - dt.timedelta(days=rnd.randint(0, 90))
            out.append({"metric": metric, "target": target, "unit": unit, "deadline": deadline})
            measurable += 1
        elif rnd.random() < 0.5:
            out.append({"metric": rnd.choice(voc.VAGUE_KPIS)[lang]})
        else:
            out.append({"metric": metric, "target": target, "unit": unit})
    return out, measurable


def summary(title_pair: Pair, n_fillers: int, rnd: random.Random, lang: int = 0) -> str:
    """The title and ``n_fillers`` boilerplate sentences: Vietnamese with an English gloss after
    :data:`GLOSS_SEPARATOR`, or English only (``lang`` = :data:`EN`)."""
    fillers = rnd.sample(voc.SUMMARY_SENTENCES, n_fillers)
    vi = " ".join([title_pair[0] + ".", *(f[0] for f in fillers)])
    en = " ".join([title_pair[1] + ".", *(f[1] for f in fillers)])
    return en if lang == EN else vi + GLOSS_SEPARATOR + en


def split_gloss(text: str) -> tuple[str, str]:
    """(Vietnamese, English) parts of a demo summary."""
    vi, _, en = text.partition(GLOSS_SEPARATOR)
    return vi, en


def researchers(n: int, rnd: random.Random) -> list[dict[str, str]]:
    """``n`` invented researchers; the first two lead the work."""
    return [
        {"name": f"{rnd.choice(voc.ACADEMIC_TITLES)} {rnd.choice(voc.SURNAMES)} "
                 f"{rnd.choice(voc.MIDDLE_NAMES)} {rnd.choice(voc.GIVEN_NAMES)}",
         "role": voc.ROLES[k] if k < 2 else rnd.choice(voc.ROLES[2:])}
        for k in range(n)
    ]


def extra_sentence(area: str, ptype: str, rnd: random.Random) -> Pair:
    """One more objective sentence of the type, on some topic of ``area`` (what a rewording
    adds to a copied text)."""
    subject = pick_subject(area, "", rnd)
    s = rnd.choice(voc.TYPES[ptype].objectives)
    n = rnd.randint(*s.n_range) if s.n_range else 0
    return s.text[0].format(topic=subject.topic[0], n=n), s.text[1].format(topic=subject.topic[1],
                                                                            n=n)
