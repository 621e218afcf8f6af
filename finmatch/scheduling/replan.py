"""Re-solve during an event: meetings already held stay fixed, the rest is planned again."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from finmatch.scheduling.problem import Agenda, Meeting, ScheduleRequest


def replan(request: ScheduleRequest, previous: Agenda, now_slot: int, *, no_shows: Iterable[str] = (),
           missed: Iterable[Meeting] = (), must_meet: Iterable[tuple[str, str]] = (),
           blocked: Iterable[tuple[str, str]] = ()) -> ScheduleRequest:
    """The request for a re-solve at the start of slot ``now_slot`` (0-based).

    Meetings of ``previous`` before ``now_slot`` are held and become ``fixed``, except those in
    ``missed`` or involving a participant in ``no_shows`` (gone for the rest of the event, so also
    unavailable from ``now_slot`` on). Slots before ``now_slot`` take no new meetings. New must-meet
    and blocked requests are added to the old ones.
    """
    gone = set(no_shows)
    skipped = set(missed)
    held = [m for m in previous.meetings if m.slot < now_slot and m not in skipped
            and m.project_id not in gone and m.institution_id not in gone]
    unavailable = {k: list(v) for k, v in request.unavailable.items()}
    for who in gone:
        unavailable[who] = sorted(set(unavailable.get(who, [])) | set(range(now_slot, request.slots)))
    return dataclasses.replace(
        request, fixed=held, first_slot=now_slot, unavailable=unavailable,
        must_meet=list(dict.fromkeys([*request.must_meet, *must_meet])),
        blocked=list(dict.fromkeys([*request.blocked, *blocked])))
