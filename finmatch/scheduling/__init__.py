"""Event agenda solver for 科技金融对接会: 1:1 meetings from match scores, roadshow order, exports.

Public API: :class:`ScheduleRequest` -> :func:`solve` (CP-SAT, compared with :func:`solve_greedy`)
-> :class:`Agenda`; :func:`check_agenda` validates any agenda; :func:`replan` builds the re-solve
request after no-shows; :func:`roadshow_order` orders the stage pitches. Exports live in
``finmatch.scheduling.exports``.
"""

from finmatch.scheduling.check import check_agenda
from finmatch.scheduling.cpsat import solve, solve_cpsat
from finmatch.scheduling.greedy import solve_greedy
from finmatch.scheduling.problem import Agenda, ImpossibleRequest, Meeting, ScheduleRequest
from finmatch.scheduling.replan import replan
from finmatch.scheduling.roadshow import roadshow_order

__all__ = ["Agenda", "ImpossibleRequest", "Meeting", "ScheduleRequest", "check_agenda", "replan",
           "roadshow_order", "solve", "solve_cpsat", "solve_greedy"]
