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


def pick_subject(area: str, site: str, rnd: random.Random, ptype: str = "") -> Subject:
    """A topic of ``area`` that fits ``ptype`` (any topic when none is given) and one of its
    uses."""
    t = rnd.choice(voc.area(area).topics_for(ptype) or voc.area(area).topics)
    return Subject(area, t.topic, rnd.choice(t.uses), site)


def fits(area: str, ptype: str) -> bool:
    """Whether some topic of ``area`` makes sense for project type ``ptype``."""
    return bool(voc.area(area).topics_for(ptype))


def title(subject: Subject, ptype: str) -> Pair:
    """The type's opening words, then the topic, its use and the place."""
    return titled(voc.TYPES[ptype].title, subject)


def titled(prefix: Pair, subject: Subject) -> Pair:
    core = subject.core
    return (f"{prefix[0]} {core[0]} tại {subject.site}",
            f"{prefix[1]} {core[1]} in {subject.site}")


def partner(rnd: random.Random) -> Pair:
    """An invented partner firm or cooperative."""
    form, name = rnd.choice(voc.PARTNER_FORMS), rnd.choice(voc.PARTNER_NAMES)
    return form[0].format(name=name), form[1].format(name=name)


def objectives(subject: Subject, ptype: str, n_sentences: int, rnd: random.Random,
               year: int) -> Pair:
    """``n_sentences`` (1–4) objective sentences of the type, the focus sentence (use and pilot
    site) in second place, a measurable target of the area to reach by ``year`` and, most of
    the time, a named partner. The first sentence states the type's purpose."""
    pool = voc.TYPES[ptype].objectives
    first = rnd.randrange(2)
    rest = list(range(2, len(pool)))  # the other purpose sentence would say it again
    chosen = [first, *rnd.sample(rest, min(max(n_sentences, 1) - 1, len(rest)))]
    vi: list[str] = []
    en: list[str] = []
    for j, k in enumerate(chosen):
        s = pool[k]
        n = rnd.randint(*s.n_range) if s.n_range else 0
        # The purpose sentence names the topic; the others name the field, as a person would
        # rather than repeat the topic (and two texts on one topic for different uses are then
        # told apart by their uses, not drowned in the topic's words).
        about = subject.topic if j == 0 else field(subject.area, rnd)
        vi.append(s.text[0].format(topic=about[0], n=n))
        en.append(s.text[1].format(topic=about[1], n=n))
    focus = rnd.choice(voc.FOCUS)
    vi.insert(1, focus[0].format(topic=subject.topic[0], use=subject.use[0], site=subject.site))
    en.insert(1, focus[1].format(topic=subject.topic[1], use=subject.use[1], site=subject.site))
    m = rnd.choice(voc.area(subject.area).metrics)
    n = rnd.randint(m.lo, m.hi)
    target = rnd.choice(voc.TARGET)
    vi.append(target[0].format(year=year, metric=m.metric[0], n=n, unit=m.unit[0]))
    en.append(target[1].format(year=year, metric=m.metric[1], n=n, unit=m.unit[1]))
    if rnd.random() < 0.7:
        who, n, form = partner(rnd), rnd.randint(2, 12), rnd.choice(voc.PARTNER)
        vi.append(form[0].format(partner=who[0], n=n, site=subject.site))
        en.append(form[1].format(partner=who[1], n=n, site=subject.site))
    return " ".join(vi), " ".join(en)


def field(area: str, rnd: random.Random) -> Pair:
    """A name of ``area``'s field of work ("thị giác máy tính" / "computer vision"): one of its
    lab-name stems, lower-cased as it reads inside a sentence."""
    vi, en = rnd.choice(voc.area(area).lab_stems)
    return vi[:1].lower() + vi[1:], (en if en[:2].isupper() else en[:1].lower() + en[1:])


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
    subject = pick_subject(area, "", rnd, ptype)
    s = rnd.choice(voc.TYPES[ptype].objectives)
    n = rnd.randint(*s.n_range) if s.n_range else 0
    return s.text[0].format(topic=subject.topic[0], n=n), s.text[1].format(topic=subject.topic[1],
                                                                            n=n)


def program_core(program_title: str) -> str:
    """A registry program's title without its prefix: the words a copying proposal reuses."""
    for prefix in voc.PROGRAM_PREFIXES:
        if program_title.startswith(prefix + " "):
            return program_title[len(prefix) + 1:]
    return program_title


def site_of(title_vi: str) -> str:
    """The place a title names last ("... tại Huế" -> "Huế"; "" when it names none)."""
    _, found, site = title_vi.rpartition(" tại ")
    return site if found else ""


def core_pair(area: str, core_vi: str) -> Pair:
    """The (vi, en) pair of a title core of ``area`` ("topic use tại site"); the Vietnamese
    twice when it is not one of the vocabulary's (e.g. a program imported from a file)."""
    words, _, site = core_vi.rpartition(" tại ")
    for t in voc.area(area).topics:
        for u in t.uses:
            if f"{t.topic[0]} {u[0]}" == words:
                return core_vi, f"{t.topic[1]} {u[1]} in {site}"
    return core_vi, core_vi


def type_of(objectives_vi: str) -> str:
    """The project type whose purpose sentence opens ``objectives_vi`` (research by default)."""
    for name, t in voc.TYPES.items():
        if any(objectives_vi.startswith(s.text[0].split("{")[0]) for s in t.objectives[:2]):
            return name
    return "research_program"
