"""Data classes of the agenda solver and the preprocessing every solver shares.

``prepare`` turns a :class:`ScheduleRequest` into the candidate (project, institution, slot) triples
that a solver may choose from, after taking out fixed meetings, unavailable slots, blocked and
ineligible pairs. It also decides, before any solving, which must-meet requests are impossible and
why, so the greedy and CP-SAT solvers give the same reasons.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from finmatch.exceptions import FinmatchError, InfeasibleError

SCALE = 1000  # CP-SAT works on integer scores: round(score * SCALE)


@dataclass(frozen=True)
class Meeting:
    """One 1:1 meeting: ``slot`` is 0-based, ``table`` is 1-based (洽谈桌号)."""

    project_id: str
    institution_id: str
    slot: int
    table: int
    score: float


@dataclass(frozen=True)
class ImpossibleRequest:
    """A must-meet request the agenda cannot honour, with a Chinese reason and a stable code."""

    project_id: str
    institution_id: str
    reason: str
    code: str = "impossible"

    def as_dict(self) -> dict[str, str]:
        return {"project_id": self.project_id, "institution_id": self.institution_id, "reason": self.reason,
                "code": self.code}


@dataclass
class ScheduleRequest:
    """Everything the solver needs for one event; ``scores`` is projects x institutions, NaN = ineligible."""

    event_id: str
    scores: pd.DataFrame
    slots: int
    tables: int
    max_meetings_per_project: int
    max_meetings_per_institution: int
    must_meet: list[tuple[str, str]] = field(default_factory=list)
    blocked: list[tuple[str, str]] = field(default_factory=list)
    unavailable: dict[str, list[int]] = field(default_factory=dict)
    fixed: list[Meeting] = field(default_factory=list)
    time_limit_s: float = 30
    project_sectors: dict[str, str] | None = None
    slot_minutes: int = 20
    start: datetime | None = None
    # added: slots before ``first_slot`` are in the past (re-solve during the event); only fixed meetings
    # may sit there. ``num_workers`` is CP-SAT's worker count.
    first_slot: int = 0
    num_workers: int = 2
    # added: pairs scoring below ``min_score`` are never scheduled unless they are a must-meet
    min_score: float = 0.0


@dataclass
class Agenda:
    """A solved agenda; ``objective`` is the sum of the meetings' scores (fixed meetings included)."""

    meetings: list[Meeting]
    objective: float
    bound: float | None
    gap: float | None
    solver: str
    status: str
    solve_seconds: float
    impossible: list[ImpossibleRequest] = field(default_factory=list)
    greedy_objective: float | None = None
    # added fields (defaults keep the documented constructor working)
    event_id: str = ""
    slot_minutes: int = 20
    start: datetime | None = None
    projects_met: int = 0  # projects with at least one meeting
    projects_coverable: int = 0  # projects with at least one possible meeting
    greedy_projects_met: int | None = None

    def by_institution(self) -> dict[str, list[Meeting]]:
        return _group(self.meetings, lambda m: m.institution_id)

    def by_project(self) -> dict[str, list[Meeting]]:
        return _group(self.meetings, lambda m: m.project_id)

    def by_table(self) -> dict[int, list[Meeting]]:
        return _group(self.meetings, lambda m: m.table)

    def slot_times(self, slot: int) -> tuple[datetime | None, datetime | None]:
        """Start and end of a slot, or (None, None) when the event start is unknown."""
        if self.start is None:
            return None, None
        begin = self.start + pd.Timedelta(minutes=slot * self.slot_minutes)
        return begin, begin + pd.Timedelta(minutes=self.slot_minutes)

    def to_frame(self) -> pd.DataFrame:
        rows = []
        for m in sorted(self.meetings, key=lambda m: (m.slot, m.table)):
            begin, end = self.slot_times(m.slot)
            rows.append({"slot": m.slot, "start": begin, "end": end, "table": m.table, "project_id": m.project_id,
                         "institution_id": m.institution_id, "score": m.score})
        return pd.DataFrame(rows, columns=["slot", "start", "end", "table", "project_id", "institution_id", "score"])


def _group(meetings: list[Meeting], key) -> dict:  # type: ignore[no-untyped-def]
    out: dict = defaultdict(list)
    for m in sorted(meetings, key=lambda m: (m.slot, m.table)):
        out[key(m)].append(m)
    return dict(out)


@dataclass
class Prepared:
    """The request reduced to what a solver decides: candidate pairs, their slots, capacities left."""

    request: ScheduleRequest
    projects: list[str]
    institutions: list[str]
    score: dict[tuple[str, str], float]
    fixed: list[Meeting]
    candidates: dict[tuple[str, str], list[int]]  # pair -> slots where both are free and a table is left
    open_tables: list[int]  # per slot, tables not taken by fixed meetings
    cap_left_p: dict[str, int]
    cap_left_i: dict[str, int]
    must_active: list[tuple[str, str]]  # must-meets left for the solver
    impossible: list[ImpossibleRequest]
    fixed_covered: set[str]
    coverable: set[str]

    def iscore(self, pair: tuple[str, str]) -> int:
        return int(round(self.score[pair] * SCALE))


def _reason_unknown(kind: str, pid: str) -> str:
    return f"{kind} {pid} 不在本次活动名单中"


def prepare(req: ScheduleRequest) -> Prepared:
    """Validate the request and build the candidate set; raises FinmatchError on malformed input."""
    scores = req.scores
    projects = [str(p) for p in scores.index]
    institutions = [str(i) for i in scores.columns]
    if len(set(projects)) != len(projects) or len(set(institutions)) != len(institutions):
        raise FinmatchError("匹配度矩阵中的项目或机构编号有重复", field="scores")
    for name in ("slots", "tables", "max_meetings_per_project", "max_meetings_per_institution"):
        if int(getattr(req, name)) < 0:
            raise FinmatchError(f"{name} 不能为负数", field=name)
    values = scores.to_numpy(dtype=float)
    finite = values[~pd.isna(values)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise FinmatchError("匹配度应为 0 到 1 之间的概率", field="scores")
    score: dict[tuple[str, str], float] = {}
    for r, p in enumerate(projects):
        for c, i in enumerate(institutions):
            v = values[r, c]
            if not math.isnan(v):
                score[(p, i)] = float(v)
    pset, iset = set(projects), set(institutions)
    slots, tables = int(req.slots), int(req.tables)

    # fixed meetings: validate, then take their slots, tables and caps
    busy: dict[tuple[str, str], set[int]] = defaultdict(set)
    used_tables: dict[int, set[int]] = defaultdict(set)
    fixed_pairs: set[tuple[str, str]] = set()
    count_p: dict[str, int] = defaultdict(int)
    count_i: dict[str, int] = defaultdict(int)
    for m in req.fixed:
        if m.project_id not in pset or m.institution_id not in iset:
            raise FinmatchError(f"已举行的洽谈 {m.project_id}/{m.institution_id} 的参会方不在名单中", field="fixed")
        if not (0 <= m.slot < slots) or not (1 <= m.table <= tables):
            raise FinmatchError(f"已举行的洽谈 {m.project_id}/{m.institution_id} 的时段或桌号越界", field="fixed")
        clash = (m.slot in busy[("p", m.project_id)] or m.slot in busy[("i", m.institution_id)]
                 or m.table in used_tables[m.slot] or (m.project_id, m.institution_id) in fixed_pairs)
        if clash:
            raise InfeasibleError(f"已固定的洽谈相互冲突：{m.project_id}/{m.institution_id} 第{m.slot + 1}时段",
                                  field="fixed")
        busy[("p", m.project_id)].add(m.slot)
        busy[("i", m.institution_id)].add(m.slot)
        used_tables[m.slot].add(m.table)
        fixed_pairs.add((m.project_id, m.institution_id))
        count_p[m.project_id] += 1
        count_i[m.institution_id] += 1
    for who, bad in req.unavailable.items():
        for role in ("p", "i"):
            if (role == "p" and who in pset) or (role == "i" and who in iset):
                busy[(role, who)].update(int(s) for s in bad)

    open_tables = [tables - len(used_tables[s]) for s in range(slots)]
    open_slots = [s for s in range(max(0, req.first_slot), slots) if open_tables[s] > 0]
    cap_left_p = {p: max(0, req.max_meetings_per_project - count_p[p]) for p in projects}
    cap_left_i = {i: max(0, req.max_meetings_per_institution - count_i[i]) for i in institutions}
    blocked = {(str(p), str(i)) for p, i in req.blocked}

    def free_slots(p: str, i: str) -> list[int]:
        bp, bi = busy[("p", p)], busy[("i", i)]
        return [s for s in open_slots if s not in bp and s not in bi]

    candidates: dict[tuple[str, str], list[int]] = {}
    musts = {(str(p), str(i)) for p, i in req.must_meet}
    for pair in score:
        p, i = pair
        if pair in blocked or pair in fixed_pairs or cap_left_p[p] == 0 or cap_left_i[i] == 0:
            continue
        if score[pair] < req.min_score and pair not in musts:
            continue  # below the event's minimum match: the slot stays free rather than host a weak meeting
        free = free_slots(p, i)
        if free:
            candidates[pair] = free

    impossible: list[ImpossibleRequest] = []
    must_active: list[tuple[str, str]] = []
    for p, i in dict.fromkeys((str(p), str(i)) for p, i in req.must_meet):
        pair = (p, i)
        if pair in fixed_pairs:
            continue  # already held or kept
        reason, code = _must_meet_reason(pair, pset, iset, score, blocked, cap_left_p, cap_left_i,
                                         busy, slots, req.first_slot, open_tables)
        if reason is None:
            must_active.append(pair)
        else:
            impossible.append(ImpossibleRequest(p, i, reason, code))

    fixed_covered = {p for p, n in count_p.items() if n > 0}
    coverable = fixed_covered | {p for p, _ in candidates}
    return Prepared(req, projects, institutions, score, list(req.fixed), candidates, open_tables, cap_left_p,
                    cap_left_i, must_active, impossible, fixed_covered, coverable)


def _must_meet_reason(pair, pset, iset, score, blocked, cap_left_p, cap_left_i, busy, slots, first_slot,
                      open_tables) -> tuple[str | None, str]:  # type: ignore[no-untyped-def]
    """Why a must-meet cannot be scheduled at all, or (None, '') when the solver should try."""
    p, i = pair
    if p not in pset:
        return _reason_unknown("项目", p), "unknown_participant"
    if i not in iset:
        return _reason_unknown("机构", i), "unknown_participant"
    if pair not in score:
        return f"项目 {p} 与 机构 {i} 无可匹配产品", "no_eligible_product"
    if pair in blocked:
        return f"项目 {p} 与 机构 {i} 同时被列为必须会面和禁止会面", "blocked"
    if cap_left_p[p] == 0:
        return f"名额已满：项目 {p} 的洽谈场次已达上限", "project_cap"
    if cap_left_i[i] == 0:
        return f"名额已满：机构 {i} 的洽谈场次已达上限", "institution_cap"
    common = [s for s in range(max(0, first_slot), slots) if s not in busy[("p", p)] and s not in busy[("i", i)]]
    if not common:
        return "时段冲突：双方无共同空闲时段", "no_common_slot"
    if not any(open_tables[s] > 0 for s in common):
        return "洽谈桌已满：双方共同空闲的时段没有空余洽谈桌", "no_table"
    return None, ""


UNMET_MUST_REASON = "资源冲突：与其他必须会面请求争用时段、洽谈桌或名额，无法同时安排"


def unmet_must(prep: Prepared, meetings: list[Meeting]) -> list[ImpossibleRequest]:
    """Pre-computed impossibilities plus active must-meets the solver could not place."""
    met = {(m.project_id, m.institution_id) for m in meetings}
    late = [ImpossibleRequest(p, i, UNMET_MUST_REASON, "conflict") for p, i in prep.must_active
            if (p, i) not in met]
    return list(prep.impossible) + late


def fairness_key(prep: Prepared, meetings: list[Meeting]) -> tuple[int, int, int]:
    """Lexicographic quality of an agenda: (must-meets honoured, projects met, integer score of new meetings)."""
    met_pairs = {(m.project_id, m.institution_id) for m in meetings}
    must = sum(1 for pair in prep.must_active if pair in met_pairs)
    covered = len({m.project_id for m in meetings})
    fixed = set(prep.fixed)
    iscore = sum(prep.iscore((m.project_id, m.institution_id)) for m in meetings if m not in fixed)
    return must, covered, iscore
