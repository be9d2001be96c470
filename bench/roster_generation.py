"""Benchmark: roster generation, 30 days × 3 shifts × 4 positions with 40 people.

Runs the generator itself (roster.services.rules.generate, the code `roster_generate` calls after
loading the seats) on a three-shift pattern (00:00–08:00 night, 08:00–16:00, 16:00–24:00), each
shift needing a leader, two duty engineers, a CISP security watch and an on-site watch (5 seats,
450 seats in all), then checks the result against every hard rule.

    .venv/bin/python bench/roster_generation.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from roster.services.rules import Person, Rules, Slot, check_all, generate

TZ = ZoneInfo("Asia/Shanghai")
DAYS = 30
SHIFTS = [(dt.time(0, 0), True), (dt.time(8, 0), False), (dt.time(16, 0), False)]
POSITIONS = [("leader", 1, ""), ("engineer", 2, ""), ("security", 1, "CISP"), ("onsite", 1, "")]


def build() -> tuple[list[Slot], list[Person]]:
    slots = []
    first = dt.date(2026, 2, 10)
    for d in range(DAYS):
        date = first + dt.timedelta(days=d)
        for n, (start_time, night) in enumerate(SHIFTS):
            start = dt.datetime.combine(date, start_time, tzinfo=TZ)
            for position, count, qual in POSITIONS:
                for seat in range(count):
                    slots.append(Slot(
                        key=(d, n, position, seat), shift_key=(d, n), start=start, end=start + dt.timedelta(hours=8), date=date,
                        is_night=night, position=position, qualification=qual, holiday_weight=3 if d in (6, 7) else 0,
                    ))
    people = []
    for i in range(40):
        if i < 8:
            positions, quals = {"leader"}, set()
        elif i < 18:
            positions, quals = {"engineer", "security"}, {"CISP"}
        elif i < 28:
            positions, quals = {"engineer", "onsite"}, set()
        else:
            positions, quals = {"engineer"}, set()
        off = ()
        if i % 7 == 0:  # some people on leave for three days
            leave = dt.datetime.combine(first + dt.timedelta(days=i % DAYS), dt.time(0), tzinfo=TZ)
            off = ((leave, leave + dt.timedelta(days=3)),)
        people.append(Person(id=i + 1, positions=frozenset(positions), qualifications=frozenset(quals), unavailable=off))
    return slots, people


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    slots, people = build()
    rules = Rules(min_rest=dt.timedelta(hours=11), max_consecutive_nights=2)
    timings = []
    result = None
    for _ in range(args.repeat):
        started = time.perf_counter()
        result = generate(slots=slots, people=people, rules=rules)
        timings.append(time.perf_counter() - started)
    broken = check_all(slots=slots, people=people, assignments=result.assignments, rules=rules)
    hours = [load.hours for pid, load in result.loads.items() if pid > 8]
    print(f"seats {len(slots)}, people {len(people)}: filled {len(result.assignments)}, unfilled {len(result.unfilled)}, hard-rule breaches {len(broken)}")
    print(f"engineer hours min/max {min(hours):.0f}/{max(hours):.0f}")
    print(f"generate: median {statistics.median(timings) * 1000:.1f} ms, max {max(timings) * 1000:.1f} ms over {args.repeat} runs")
    if broken:
        raise SystemExit("hard rule broken")


if __name__ == "__main__":
    main()
