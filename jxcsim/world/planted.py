"""The truth a simulated world plants: each habit and each pattern its calendars make, machine-readable
(``truth/planted.json``; what the diagnosis should find, scored by :mod:`jxcsim.mining.truth`).

Planted on purpose: the posting habits (at the locations scan-to-ship leaves them), the credit
approvers' absences on days nobody else approves, the order cut-off (the hour after which orders
wait overnight). Made by the calendars and marked ``optional`` (neither expected nor a false alarm
when found): absences others cover with fewer hands, days on which requests are raised and no
approver works, hours when drivers load and no clerk is on shift, movements as the last clerk
leaves (posted at their next shift), receipts of a day before a
clerk's day off or late on the day before the weekend, and the cut-off held orders meet (expected
instead of the other where most orders are held).
"""

from __future__ import annotations

from typing import Any

from .scenario import Movement, Role, Scenario
from .shifts import HOURS_PER_WEEK, WEEKDAY_NAMES, WeeklyCalendar, day_start_of, release_time


def _worse_than_usual(habit, scenario: Scenario) -> bool:
    """Whether a habit posts later or less than its movement's usual behaviour in some respect (and
    moves any goods before posting at all)."""
    usual = scenario.posting.issue if habit.movement is Movement.ISSUE else scenario.posting.receipt
    return habit.p_move_before_post > 0 and (
        habit.post_at == "next_workday" or habit.p_move_before_post > usual.p_move_before_post
        or habit.delay_h.mean_h > usual.delay_h.mean_h or habit.p_never > usual.p_never)


def planted_truth(scenario: Scenario) -> list[dict[str, Any]]:
    """The habits planted in ``scenario``, machine-readable (what diagnosis should find)."""
    names = scenario.activity_names
    truth: list[dict[str, Any]] = []
    scan = scenario.rules.scan_to_ship
    scanned = set(scenario.locations if scan.locations is None else scan.locations) if scan.enabled else set()
    for name, habit in scenario.posting.habits.items():
        if not habit.enabled or not _worse_than_usual(habit, scenario):
            continue  # off, or posting as well as usual (a disciplined shift): nothing to find
        issue = habit.movement is Movement.ISSUE
        locations = habit.locations or list(scenario.locations)
        if issue:  # scan-to-ship posts every issue at the loading scan: no habit can act there
            locations = [loc for loc in locations if loc not in scanned]
            if not locations:
                continue
        deadline = scenario.rules.posting_deadline
        # the deadline's alert gets every movement of its locations posted (a clerk answers it, at the
        # latest when next on shift): where it covers all of the habit's, nothing stays unposted
        chased = deadline.enabled and (deadline.locations is None or set(locations) <= set(deadline.locations))
        windows = habit.windows()  # past midnight: the evening and the small hours, each a truth of its own
        for piece, (days, low, high) in enumerate(windows):
            truth.append({
                "name": name if piece == 0 else f"{name} (after midnight)",
                # as the diagnosis names them (FindingKind): goods leaving before the issue is posted, or
                # goods received and posted late, whether after a delay or on the next working day
                "kind": "physical_before_book" if issue else "late_posting",
                "movement": habit.movement.value,
                "locations": locations,
                "weekdays": list(days),
                "weekday_names": [WEEKDAY_NAMES[d] for d in days],
                "hours": [low, high],
                **({"declared_hours": [habit.hours.low, habit.hours.high]} if len(windows) > 1 else {}),
                "activities": [names.physical_issue, names.book_issue] if issue else [names.physical_receipt,
                                                                                       names.book_receipt],
                "p_move_before_post": habit.p_move_before_post,
                "mean_delay_h": habit.delay_h.mean_h if habit.post_at == "after_delay" else None,
                "p_never": 0.0 if chased else habit.p_never,
                **({"posting_deadline_h": deadline.hours} if chased else {}),
            })
    truth += _approval_truths(scenario)
    scan = scenario.rules.scan_to_ship
    for location in scenario.locations:
        if scan.enabled and (scan.locations is None or location in scan.locations):
            continue  # the loading scan posts every issue
        for (low, high), days in unstaffed_posting_hours(scenario, location).items():
            truth.append({"name": "loads while no clerk is on shift", "kind": "physical_before_book",
                          "optional": True, "movement": Movement.ISSUE.value, "locations": [location],
                          "weekdays": days, "weekday_names": [WEEKDAY_NAMES[d] for d in days], "hours": [low, high],
                          "activities": [names.physical_issue, names.book_issue], "p_never": 0.0})
    for location in scenario.locations:
        for movement in (Movement.ISSUE, Movement.RECEIPT):
            if movement is Movement.ISSUE and location in scanned:
                continue
            issue = movement is Movement.ISSUE
            for (low, high), days in shift_end_hours(scenario, location, movement).items():
                truth.append({"name": f"{'loads' if issue else 'receipts'} as the clerks leave",
                              "kind": "physical_before_book" if issue else "late_posting", "optional": True,
                              "movement": movement.value, "locations": [location], "weekdays": days,
                              "weekday_names": [WEEKDAY_NAMES[d] for d in days], "hours": [low, high],
                              "activities": [names.physical_issue, names.book_issue] if issue else
                              [names.physical_receipt, names.book_receipt], "p_never": 0.0})
        days = receipts_before_day_off(scenario, location)
        if days:
            truth.append({"name": "receipts before a clerk's day off", "kind": "late_posting", "optional": True,
                          "movement": Movement.RECEIPT.value, "locations": [location], "weekdays": days,
                          "weekday_names": [WEEKDAY_NAMES[d] for d in days], "hours": [0.0, 24.0],
                          "activities": [names.physical_receipt, names.book_receipt], "p_never": 0.0})
        for day, end in receipts_before_weekend(scenario, location):
            truth.append({"name": "late receipts before the weekend", "kind": "late_posting", "optional": True,
                          "movement": Movement.RECEIPT.value, "locations": [location], "weekdays": [day],
                          "weekday_names": [WEEKDAY_NAMES[day]], "hours": [max(0.0, end - LATE_RECEIPT_H), 24.0],
                          "activities": [names.physical_receipt, names.book_receipt], "p_never": 0.0})
    truth += _cutoff_truths(scenario)
    return truth


def _cutoff_truths(scenario: Scenario) -> list[dict[str, Any]]:
    """The order cut-off per location (grouped by hour), for the orders that pass the credit check;
    where a held order's path (approval batches, the approver's shift) makes another cut-off, that
    one too, ``optional`` and ``held: true`` (the scoring expects it where most orders are held)."""
    names = scenario.activity_names
    holds = scenario.rules.credit.review_threshold is not None or scenario.rules.credit.use_credit_limit
    by_cutoff: dict[tuple[float, bool, float], list[str]] = {}
    for location in scenario.locations:
        end = workday_start(scenario, location) or 24.0  # orders wait from the cut-off to the day's end
        cutoff = effective_cutoff(scenario, location)
        if cutoff is not None:
            by_cutoff.setdefault((cutoff, False, end), []).append(location)
        held = effective_cutoff(scenario, location, held=True) if holds else None
        if held is not None and held != cutoff:
            by_cutoff.setdefault((held, True, end), []).append(location)
    out = []
    for (cutoff, held, end), locations in sorted(by_cutoff.items(), key=lambda item: (item[0][1], item[0][0])):
        out.append({"name": "held orders after cut-off wait overnight" if held else
                    "orders after cut-off wait overnight", "kind": "after_hours_backlog", "locations": locations,
                    "weekdays": list(range(7)), "hours": [cutoff, end], "held": held,  # [22, 13]: past midnight
                    "nominal_cutoff": scenario.handoffs.order_cutoff,
                    "activities": [names.order_received, names.pick], **({"optional": True} if held else {})})
    return out


def _approval_truths(scenario: Scenario) -> list[dict[str, Any]]:
    """The days held orders wait for want of an approver: absences nobody covers (one truth per set of
    approvers away together), absences others cover with fewer hands, and days on which orders are
    checked (sales at work) but no approver works, or an absence falls on a day no order is checked
    (all optional)."""
    names = scenario.activity_names
    approvers = {name: m for name, m in scenario.staff.items() if m.enabled and m.role is Role.CREDIT_APPROVER}
    working = {name: set(scenario.shifts[m.shift].days) - set(m.absent_weekdays) for name, m in approvers.items()}
    hands = [sum(d in days for days in working.values()) for d in range(7)]  # approvers at work per weekday
    checked = {d for m in scenario.staff.values() if m.enabled and m.role is Role.SALES
               for d in set(scenario.shifts[m.shift].days) - set(m.absent_weekdays)}  # holds are raised then

    def truth(name: str, days: list[int], **extra: Any) -> dict[str, Any]:
        return {"name": name, "kind": "approval_bottleneck", **extra, "locations": None, "weekdays": days,
                "weekday_names": [WEEKDAY_NAMES[d] for d in days], "hours": None,
                "activities": [names.credit_hold, names.credit_approved]}

    away: dict[tuple[str, ...], list[int]] = {}  # who is away -> the days nobody else approves on
    unseen: dict[tuple[str, ...], list[int]] = {}  # the same, on days no order is checked (nothing raised)
    nobody = []  # days outside every approver's shift on which orders are checked
    for d in range(7):
        if hands[d] or not approvers:
            continue
        # a day off outside one's own shift is no absence: that approver never works then anyway
        absent = tuple(name for name, m in approvers.items()
                       if d in m.absent_weekdays and d in scenario.shifts[m.shift].days)
        if absent:
            (away if d in checked else unseen).setdefault(absent, []).append(d)
        elif d in checked:
            nobody.append(d)
    out = [truth(" and ".join(who) + " absent", days) for who, days in away.items()]
    # no hold is raised on such a day, so the diagnosis sees a quiet day like a weekend: found or not, no error
    out += [truth(" and ".join(who) + " absent (no orders checked)", days, optional=True)
            for who, days in unseen.items()]
    for name, member in approvers.items():
        # days others cover with fewer hands than on the best-staffed day: a bottleneck only if they cannot keep
        # up (found or not, no error); a part-timer's days off leave the usual number and plant nothing
        covered = sorted(d for d in member.absent_weekdays if d in scenario.shifts[member.shift].days
                         and hands[d] and hands[d] < max(hands))
        if covered:
            out.append(truth(f"{name} absent (others cover)", covered, optional=True))
    if nobody:
        out.append(truth("no approver works", nobody, optional=True))
    return out


def receipts_before_day_off(scenario: Scenario, location: str) -> list[int]:
    """Weekdays on which a clerk at ``location`` works and the next day every clerk there is off though
    one's shift has that day (a day off, not the weekend): a receipt posted after the shift's end
    waits two days (``[1]``, Tuesday, for clerks off on Wednesdays)."""
    clerks = [m for m in scenario.staff.values()
              if m.enabled and m.role is Role.WAREHOUSE_CLERK and m.location == location]
    works = [set(scenario.shifts[m.shift].days) - set(m.absent_weekdays) for m in clerks]
    return [d for d in range(7) if any(d in w for w in works) and not any((d + 1) % 7 in w for w in works)
            and any((d + 1) % 7 in scenario.shifts[m.shift].days for m in clerks)]


LATE_RECEIPT_H = 4.0  # receipts this close to the clerks' leaving may miss the day's postings


def receipts_before_weekend(scenario: Scenario, location: str) -> list[tuple[int, float]]:
    """``(weekday, hour the last clerk leaves)`` for each day clerks at ``location`` work before a day
    no clerk there works by their shifts (the weekend): a receipt of the day's last hours posted
    after they leave waits until the next working day, like a Friday habit of posting on Monday.
    A night shift leaves the next morning: Tuesday's 20:00-06:00 before a closed Wednesday gives
    ``(2, 6.0)``.

    >>> from jxcsim.world.scenario import load_scenario
    >>> receipts_before_weekend(load_scenario("scenarios/baseline.yaml"), "WH-B")   # clerks Mon-Sat until 18:00
    [(5, 18.0)]
    >>> receipts_before_weekend(load_scenario("scenarios/examples/night_fulfilment_nz.yaml"), "HAM-2")
    [(2, 6.0)]
    """
    clerks = [m for m in scenario.staff.values()
              if m.enabled and m.role is Role.WAREHOUSE_CLERK and m.location == location]
    shifts = [scenario.shifts[m.shift] for m in clerks]
    out = []
    for d in range(7):
        working = [sh for m, sh in zip(clerks, shifts, strict=True) if d in sh.days and d not in m.absent_weekdays]
        if working and not any((d + 1) % 7 in sh.days for sh in shifts):
            leaves = max(d * 24 + sh.end if sh.end > sh.start else (d + 1) * 24 + sh.end for sh in working)
            out.append((int(leaves // 24) % 7 if leaves % 24 else d, leaves % 24 or 24.0))
    return out


def unstaffed_posting_hours(scenario: Scenario, location: str) -> dict[tuple[float, float], list[int]]:
    """Whole hours of the week when a driver at ``location`` may load and no clerk there is on shift
    (to post a goods issue first): ``{(start, end): [weekdays]}``, by calendar day (a late shift's
    loads after midnight count on the next day). A driver finishes a load begun before the shift
    ends, so the drivers' hours run on past it by three mean loads (as :func:`.scenario.inert_habits`
    allows). An hour counts when that holds for most of it (at least two of its quarter hours).

    >>> from jxcsim.world.scenario import load_scenario
    >>> unstaffed_posting_hours(load_scenario("scenarios/baseline.yaml"), "WH-A")   # clerks 07-18, drivers 08-18
    {(18.0, 19.0): [0, 1, 2, 3, 4, 5]}
    """
    overtime = 3 * scenario.durations.load.mean_h
    drivers = _calendar(scenario, Role.DRIVER, location, overtime_h=overtime)
    clerks = _calendar(scenario, Role.WAREHOUSE_CLERK, location)
    spans: dict[tuple[float, float], list[int]] = {}
    if drivers is None:
        return spans
    for day in range(7):
        hours = [h for h in range(24) if sum(
            drivers.is_open(t) and not (clerks is not None and clerks.is_open(t))
            for t in (day * 24 + h + q / 4 for q in range(4))) >= 2]
        for start, end in _runs(hours):
            spans.setdefault((float(start), float(end)), []).append(day)
    return spans


def shift_end_hours(scenario: Scenario, location: str, movement: Movement) -> dict[tuple[float, float], list[int]]:
    """Whole hours of the week, ``{(start, end): [weekdays]}`` by calendar day, around each time the
    last clerk at ``location`` leaves, in which a ``movement`` may wait for their next shift to be
    posted: from a mean posting delay before they leave (goods moved before the posting, as the usual
    behaviour does with ``p_move_before_post``: from then on about half the postings would fall
    after the shift), to three mean unloads after it for receipts (a clerk finishes an unload begun
    before leaving). An hour counts when that holds for at least two of its quarter hours.

    >>> from jxcsim.world.scenario import load_scenario
    >>> baseline = load_scenario("scenarios/baseline.yaml")   # clerks Mon-Sat 07-18, receipts 0.5 h after
    >>> shift_end_hours(baseline, "WH-B", Movement.RECEIPT)
    {(17.0, 20.0): [0, 1, 2, 3, 4, 5]}
    """
    usual = scenario.posting.issue if movement is Movement.ISSUE else scenario.posting.receipt
    before = usual.delay_h.mean_h if usual.p_move_before_post > 0 else 0.0
    after = 3 * scenario.durations.unload.mean_h if movement is Movement.RECEIPT else 0.0
    clerks = _calendar(scenario, Role.WAREHOUSE_CLERK, location)
    if clerks is None or before + after <= 0:
        return {}
    starts = {a for a, _ in clerks.windows}
    leaves = [b for _, b in clerks.windows if not (b >= HOURS_PER_WEEK and 0.0 in starts)]  # (a week's wrap)
    def near_leaving(t: float) -> bool:
        return any(end - before <= t + k * HOURS_PER_WEEK < end + after for end in leaves for k in (-1, 0, 1))

    spans: dict[tuple[float, float], list[int]] = {}
    for day in range(7):
        hours = [h for h in range(24) if sum(near_leaving(day * 24 + h + q / 4) for q in range(4)) >= 2]
        for start, end in _runs(hours):
            spans.setdefault((float(start), float(end)), []).append(day)
    return spans


def _runs(hours: list[int]) -> list[tuple[int, int]]:
    """Sorted whole hours as contiguous [start, end) runs: ``[1, 2, 5]`` → ``[(1, 3), (5, 6)]``."""
    out: list[tuple[int, int]] = []
    for h in hours:
        if out and out[-1][1] == h:
            out[-1] = (out[-1][0], h + 1)
        else:
            out.append((h, h + 1))
    return out


def effective_cutoff(scenario: Scenario, location: str, *, held: bool = False) -> float | None:
    """The hour of day after which an order at ``location`` waits for a later day, as the calendars
    make it: an order received at a quarter hour is credit-checked when sales staff are next on
    shift (plus the check's mean duration), released to the warehouse as the hand-off rule says
    (batch times, the order cut-off, or at once when pushed) and picked when a picker there is
    next on shift; the cut-off is where the day's last run of orders picked on a later day
    begins, on the weekdays with one (the most common such hour; ties: the earliest). Shifts past
    midnight count: a night crew picking a 22:00 release takes that day's afternoon orders.
    ``None`` without pickers or sales staff, or when every order is picked the day it came. Days
    are the warehouse's (:func:`workday_start`): a night warehouse's begins before its evening.
    ``held``: for an order the check holds, which the approver sees as the credit hand-off (or
    the digests) says and approves when next on shift (plus the approval's mean duration) before
    the release (``None`` without approvers).

    >>> from jxcsim.world.scenario import load_scenario
    >>> effective_cutoff(load_scenario("scenarios/baseline.yaml"), "WH-A")   # the last batch at 16:00
    16.0
    """
    sales, pickers = _calendar(scenario, Role.SALES), _calendar(scenario, Role.PICKER, location)
    approvers = _calendar(scenario, Role.CREDIT_APPROVER) if held else None
    if sales is None or pickers is None or (held and approvers is None):
        return None
    release = scenario.handoffs.to_warehouse
    push = scenario.rules.notifications.pushes(location) or release.mode == "push"
    check_h = scenario.durations.credit_check.mean_h
    digests = scenario.rules.notifications.digest_times  # as the world's sales order sees a hold
    to_approver = scenario.handoffs.to_credit_approver
    approval_times = sorted({*digests, *to_approver.times}) or [0.0]  # the approver's looks and the digests
    approval_push = to_approver.mode == "push"
    approval_h = scenario.durations.credit_approval.mean_h
    start = workday_start(scenario, location)  # the warehouse's day (a night crew's begins in the day)
    by_day = []
    for day in range(7):
        if not any(sales.is_open(day * 24 + start + q / 4) for q in range(96)):
            continue  # nobody checks orders that day: they all wait, at any hour
        later = []
        for q in range(96):
            t = day * 24 + start + q / 4
            ready = sales.next_open(t) + check_h
            if approvers is not None:
                ready = approvers.next_open(release_time(approval_times, ready, push=approval_push)) + approval_h
            released = release_time(release.times or [0.0], ready, push=push, cutoff=scenario.handoffs.order_cutoff,
                                    day_start=start)
            later.append(pickers.next_open(released) >= (day + 1) * 24 + start)
        same_day = [q for q in range(96) if not later[q]]
        if later[-1] and same_day:  # some orders go out the same day, the evening's do not
            by_day.append((start + (same_day[-1] + 1) / 4) % 24)
    if not by_day:
        return None
    counts = {c: by_day.count(c) for c in by_day}
    return float(min(counts, key=lambda c: (-counts[c], c)))


def workday_start(scenario: Scenario, location: str) -> float:
    """The hour the warehouse's day starts at ``location``: its pickers' (:func:`.shifts.day_start_of`:
    midnight unless they work around it, as a night crew does).

    >>> from jxcsim.world.scenario import load_scenario
    >>> workday_start(load_scenario("scenarios/baseline.yaml"), "WH-A")
    0.0
    """
    return day_start_of(_calendar(scenario, Role.PICKER, location))


def _calendar(scenario: Scenario, role: Role, location: str | None = None, *,
              overtime_h: float = 0.0) -> WeeklyCalendar | None:
    """When anyone of ``role`` (at ``location``, when given) is on shift, each shift run on by
    ``overtime_h`` (work finishing after it); None when nobody ever is."""
    members = [m for m in scenario.staff.values()
               if m.enabled and m.role is role and (location is None or m.location == location)]
    spans = [(a, b + overtime_h) for m in members
             for a, b in WeeklyCalendar.of_member(scenario.shifts[m.shift], m.absent_weekdays).windows]
    return WeeklyCalendar.merge(spans) if spans else None
