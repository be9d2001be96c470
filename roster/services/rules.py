"""The hard rules of duty and the generator, as pure functions over plain data.

Nothing here touches the database, so the same code fills a roster (`roster_generate`), checks a
manual edit or a swap, and is exercised directly by the property tests and the benchmark.

Hard rules (never broken): the person may take the position, holds the certificate it requires, is
not on leave or a trip, is on one shift at a time, rests at least `min_rest` between two shifts, and
works at most `max_consecutive_nights` night shifts on consecutive dates.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext, gettext_noop

# Order in which the seats of one shift are filled: the leader first, then the scarce positions.
POSITION_ORDER = {"leader": 0, "security": 1, "onsite": 2, "engineer": 3}

# Rule codes, in the order they are checked, with the Chinese wording used in the reasons stored on
# unfilled seats (kept Chinese) and, translated, in the errors of a manual edit or a swap.
RULE_MESSAGES = {
    "inactive": gettext_noop("不在岗"),
    "position": gettext_noop("不能担任该岗位"),
    "qualification": gettext_noop("缺少资质 %(qualification)s"),
    "unavailable": gettext_noop("请假、出差或培训"),
    "overlap": gettext_noop("同一时间已有班次"),
    "rest": gettext_noop("与相邻班次间隔不足 %(rest_hours)s 小时"),
    "nights": gettext_noop("连续夜班将超过 %(max_nights)s 个"),
}


@dataclass(frozen=True)
class Rules:
    min_rest: dt.timedelta = dt.timedelta(hours=11)
    max_consecutive_nights: int = 2


@dataclass(frozen=True)
class Slot:
    """One seat to fill. `shift_key` identifies the shift (two seats of one shift share it)."""

    key: Hashable
    shift_key: Hashable
    start: dt.datetime
    end: dt.datetime
    date: dt.date
    is_night: bool
    position: str
    qualification: str = ""
    holiday_weight: int = 0

    @property
    def hours(self) -> float:
        return (self.end - self.start).total_seconds() / 3600


@dataclass(frozen=True)
class Person:
    id: int
    positions: frozenset[str]
    qualifications: frozenset[str] = frozenset()
    unavailable: tuple[tuple[dt.datetime, dt.datetime], ...] = ()
    active: bool = True


@dataclass(frozen=True)
class Duty:
    """A shift a person already has (in this roster or another published one)."""

    shift_key: Hashable
    start: dt.datetime
    end: dt.datetime
    date: dt.date
    is_night: bool


@dataclass
class Load:
    """What a person has carried: hours, night shifts, holiday weight, shifts."""

    hours: float = 0.0
    nights: int = 0
    holiday: int = 0
    shifts: int = 0

    def add(self, *, hours: float, is_night: bool, holiday_weight: int) -> None:
        self.hours += hours
        self.nights += int(is_night)
        self.holiday += holiday_weight
        self.shifts += 1


class Timeline:
    """A person's duties sorted by start, for fast neighbour look-ups."""

    # Longest shift a template allows; neighbours further away cannot overlap or shorten rest.
    MAX_SHIFT = dt.timedelta(hours=24)

    def __init__(self, duties: Iterable[Duty] = ()) -> None:
        self._duties: list[Duty] = []
        self._starts: list[dt.datetime] = []
        self.night_dates: Counter[dt.date] = Counter()
        self.shift_keys: set[Hashable] = set()
        for duty in duties:
            self.add(duty)

    def add(self, duty: Duty) -> None:
        index = bisect.bisect_right(self._starts, duty.start)
        self._starts.insert(index, duty.start)
        self._duties.insert(index, duty)
        self.shift_keys.add(duty.shift_key)
        if duty.is_night:
            self.night_dates[duty.date] += 1

    def near(self, start: dt.datetime, end: dt.datetime, margin: dt.timedelta) -> list[Duty]:
        lo = bisect.bisect_left(self._starts, start - margin - self.MAX_SHIFT)
        hi = bisect.bisect_right(self._starts, end + margin)
        return self._duties[lo:hi]

    def nights_run_with(self, day: dt.date) -> int:
        """Length of the run of consecutive night dates through `day`, counting `day` itself."""
        run = 1
        probe = day - dt.timedelta(days=1)
        while self.night_dates.get(probe):
            run += 1
            probe -= dt.timedelta(days=1)
        probe = day + dt.timedelta(days=1)
        while self.night_dates.get(probe):
            run += 1
            probe += dt.timedelta(days=1)
        return run


def violation(person: Person, timeline: Timeline, slot: Slot, rules: Rules) -> str | None:
    """The first hard rule that putting `person` on `slot` would break, or None."""
    if not person.active:
        return "inactive"
    if slot.position not in person.positions:
        return "position"
    if slot.qualification and slot.qualification not in person.qualifications:
        return "qualification"
    for off_start, off_end in person.unavailable:
        if off_start < slot.end and slot.start < off_end:
            return "unavailable"
    if slot.shift_key in timeline.shift_keys:
        return "overlap"
    for duty in timeline.near(slot.start, slot.end, rules.min_rest):
        if duty.start < slot.end and slot.start < duty.end:
            return "overlap"
        gap = slot.start - duty.end if duty.end <= slot.start else duty.start - slot.end
        if gap < rules.min_rest:
            return "rest"
    if slot.is_night and timeline.nights_run_with(slot.date) > rules.max_consecutive_nights:
        return "nights"
    return None


def rule_message(code: str, *, slot: Slot, rules: Rules, translated: bool = False) -> str:
    """The rule's wording: Chinese as stored in a seat's reason, or `translated` for an error shown now."""
    text = RULE_MESSAGES[code]
    return (gettext(text) if translated else text) % {
        "qualification": slot.qualification,
        "rest_hours": f"{rules.min_rest.total_seconds() / 3600:g}",
        "max_nights": rules.max_consecutive_nights,
    }


def unfilled_reason(counts: Counter[str], *, slot: Slot, rules: Rules, team_size: int) -> str:
    if team_size == 0:
        return "值班表没有值班人员"
    parts = [f"{n} 人{rule_message(code, slot=slot, rules=rules)}" for code, n in sorted(counts.items(), key=lambda kv: list(RULE_MESSAGES).index(kv[0]))]
    return "无人可排：" + "；".join(parts)


@dataclass
class Result:
    assignments: dict[Hashable, int] = field(default_factory=dict)  # slot key -> person id
    unfilled: dict[Hashable, str] = field(default_factory=dict)  # slot key -> reason
    loads: dict[int, Load] = field(default_factory=dict)  # this roster only


def _slot_order(slot: Slot) -> tuple:
    return (slot.start, str(slot.shift_key), POSITION_ORDER.get(slot.position, 9), 0 if slot.qualification else 1, str(slot.key))


def _nights_first_order(slot: Slot) -> tuple:
    return (0 if slot.is_night else 1, *_slot_order(slot))


def _burdens_first_order(slot: Slot) -> tuple:
    return (0 if slot.holiday_weight else 1 if slot.is_night else 2, *_slot_order(slot))


# The orders seats are filled in; generate() keeps the fairest complete result. Filled in time order
# alone, the person with the fewest earlier hours took every day shift, and those day shifts' rest kept
# them off every night, which went to colleagues with more hours; filling the nights (and holidays)
# first shares those burdens out by who has carried fewest. On a tight team the time order is the one
# that fills every seat, so neither order is right everywhere: each is tried.
FILL_ORDERS = (_slot_order, _nights_first_order, _burdens_first_order)


def _spread(values: list[float]) -> float:
    if not values:
        return 0.0
    mean = sum(values) / len(values)
    return sum((v - mean) ** 2 for v in values)


def _unfairness(result: Result, people: Sequence[Person], history: dict[int, Load]) -> tuple:
    """Lower is fairer: unfilled seats first, then the spread of nights, holiday weight and hours over
    the people who may take them (this roster and their history together)."""
    empty = Load()
    totals = [(result.loads[p.id], history.get(p.id, empty)) for p in people if p.active]
    return (
        len(result.unfilled),
        round(_spread([mine.nights + before.nights for mine, before in totals]), 6),
        round(_spread([mine.holiday + before.holiday for mine, before in totals]), 6),
        round(_spread([mine.hours + before.hours for mine, before in totals]), 6),
    )


def _preference(slot: Slot, load: Load, history: Load, person_id: int) -> tuple:
    """Who should take `slot` among the people allowed: the least loaded in the dimension the slot
    weighs on (nights for a night shift, holiday weight for a holiday shift), then by hours, with
    the person id as the final, deterministic tie-break."""
    hours = load.hours + history.hours
    nights = load.nights + history.nights
    holiday = load.holiday + history.holiday
    if slot.holiday_weight:
        return (holiday, nights if slot.is_night else 0, hours, person_id)
    if slot.is_night:
        return (nights, hours, holiday, person_id)
    return (hours, nights, holiday, person_id)


def generate(
    *,
    slots: Sequence[Slot],
    people: Sequence[Person],
    rules: Rules,
    history: dict[int, Load] | None = None,
    busy: dict[int, Iterable[Duty]] | None = None,
    fixed: dict[Hashable, int] | None = None,
) -> Result:
    """Fill every slot it can without breaking a hard rule, balancing load; deterministic.

    `history` is each person's load from earlier rosters, `busy` their duties elsewhere (other
    published rosters), `fixed` seats already decided (kept as they are and counted).
    """
    history = history or {}
    busy = busy or {}
    fixed = fixed or {}
    people = sorted(people, key=lambda p: p.id)
    best: tuple | None = None
    chosen: Result | None = None
    for order in FILL_ORDERS:
        result = _fill(slots=slots, people=people, rules=rules, history=history, busy=busy, fixed=fixed, order=order)
        score = _unfairness(result, people, history)
        if best is None or score < best:
            best, chosen = score, result
    return chosen


def _fill(*, slots, people, rules, history, busy, fixed, order) -> Result:
    """One greedy pass: every seat in `order`, each to the allowed person `_preference` ranks first."""
    timelines = {p.id: Timeline(busy.get(p.id, ())) for p in people}
    empty = Load()
    result = Result(loads={p.id: Load() for p in people})
    ordered = sorted(slots, key=order)
    for slot in ordered:
        pid = fixed.get(slot.key)
        if pid is not None and pid in timelines:
            timelines[pid].add(Duty(slot.shift_key, slot.start, slot.end, slot.date, slot.is_night))
            result.loads[pid].add(hours=slot.hours, is_night=slot.is_night, holiday_weight=slot.holiday_weight)
            result.assignments[slot.key] = pid
    for slot in ordered:
        if slot.key in result.assignments:
            continue
        best: tuple | None = None
        chosen: Person | None = None
        refused: Counter[str] = Counter()
        for person in people:
            code = violation(person, timelines[person.id], slot, rules)
            if code:
                refused[code] += 1
                continue
            rank = _preference(slot, result.loads[person.id], history.get(person.id, empty), person.id)
            if best is None or rank < best:
                best, chosen = rank, person
        if chosen is None:
            result.unfilled[slot.key] = unfilled_reason(refused, slot=slot, rules=rules, team_size=len(people))
            continue
        timelines[chosen.id].add(Duty(slot.shift_key, slot.start, slot.end, slot.date, slot.is_night))
        result.loads[chosen.id].add(hours=slot.hours, is_night=slot.is_night, holiday_weight=slot.holiday_weight)
        result.assignments[slot.key] = chosen.id
    return result


def check_all(
    *, slots: Sequence[Slot], people: Sequence[Person], assignments: dict[Hashable, int], rules: Rules,
    busy: dict[int, Iterable[Duty]] | None = None,
) -> list[tuple[Hashable, int, str]]:
    """Every (slot, person, rule) broken by a complete set of assignments — each seat checked against
    all the person's other seats. Used by tests and as a last guard before saving."""
    by_key = {s.key: s for s in slots}
    person_by_id = {p.id: p for p in people}
    mine: dict[int, list[Slot]] = {}
    for key, pid in assignments.items():
        mine.setdefault(pid, []).append(by_key[key])
    broken = []
    for pid, own in mine.items():
        for slot in own:
            others = [Duty(s.shift_key, s.start, s.end, s.date, s.is_night) for s in own if s.key != slot.key]
            others += list((busy or {}).get(pid, ()))
            code = violation(person_by_id[pid], Timeline(others), slot, rules)
            if code:
                broken.append((slot.key, pid, code))
    return broken
