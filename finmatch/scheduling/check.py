"""Independent validation of an agenda against its request (tests, and a guard after every solve).

Written from the request alone (not from ``prepare``) so a bug in the shared preprocessing cannot
hide itself. Messages are Chinese because they may reach organisers through the API.
"""

from __future__ import annotations

import math
from collections import Counter

from finmatch.scheduling.problem import Agenda, ScheduleRequest


def check_agenda(request: ScheduleRequest, agenda: Agenda) -> list[str]:
    """List every constraint the agenda breaks; empty when valid."""
    errors: list[str] = []
    scores = request.scores
    projects = {str(p) for p in scores.index}
    institutions = {str(i) for i in scores.columns}
    fixed = set(request.fixed)
    blocked = {(str(p), str(i)) for p, i in request.blocked}
    unavailable = {k: {int(s) for s in v} for k, v in request.unavailable.items()}

    seen_p: set[tuple[str, int]] = set()
    seen_i: set[tuple[str, int]] = set()
    seen_t: set[tuple[int, int]] = set()
    pairs: Counter[tuple[str, str]] = Counter()
    for m in agenda.meetings:
        tag = f"洽谈 {m.project_id}/{m.institution_id} 第{m.slot + 1}时段 {m.table}号桌"
        if m.project_id not in projects or m.institution_id not in institutions:
            errors.append(f"{tag}：参会方不在名单中")
            continue
        if not 0 <= m.slot < request.slots:
            errors.append(f"{tag}：时段越界")
        if not 1 <= m.table <= request.tables:
            errors.append(f"{tag}：桌号越界")
        for seen, key, who in ((seen_p, (m.project_id, m.slot), "项目"), (seen_i, (m.institution_id, m.slot), "机构"),
                               (seen_t, (m.slot, m.table), "洽谈桌")):
            if key in seen:
                errors.append(f"{tag}：{who}在同一时段被重复安排")
            seen.add(key)  # type: ignore[arg-type]
        pair = (m.project_id, m.institution_id)
        pairs[pair] += 1
        raw = scores.at[m.project_id, m.institution_id]
        if m in fixed:
            continue  # held meetings are facts, whatever the requests say now
        if raw is None or (isinstance(raw, float) and math.isnan(raw)):
            errors.append(f"{tag}：双方无可匹配产品却被安排洽谈")
        elif abs(float(raw) - m.score) > 1e-9:
            errors.append(f"{tag}：匹配度 {m.score} 与输入 {float(raw)} 不符")
        if pair in blocked:
            errors.append(f"{tag}：该组合被禁止会面")
        if m.slot < request.first_slot:
            errors.append(f"{tag}：安排在已过去的时段")
        for who in pair:
            if m.slot in unavailable.get(who, set()):
                errors.append(f"{tag}：{who} 在该时段不可参会")
    for pair, n in pairs.items():
        if n > 1:
            errors.append(f"项目 {pair[0]} 与 机构 {pair[1]} 被安排了 {n} 次洽谈")
    per_slot = Counter(m.slot for m in agenda.meetings)
    errors += [f"第{s + 1}时段安排了 {n} 场洽谈，超过洽谈桌数 {request.tables}" for s, n in per_slot.items()
               if n > request.tables]
    for counts, cap, who in ((Counter(m.project_id for m in agenda.meetings), request.max_meetings_per_project, "项目"),
                             (Counter(m.institution_id for m in agenda.meetings),
                              request.max_meetings_per_institution, "机构")):
        held = Counter(m.project_id if who == "项目" else m.institution_id for m in fixed)
        for pid, n in counts.items():
            if n > max(cap, held[pid]):
                errors.append(f"{who} {pid} 安排了 {n} 场洽谈，超过上限 {cap}")
    present = set(agenda.meetings)
    errors += [f"已固定的洽谈 {m.project_id}/{m.institution_id} 第{m.slot + 1}时段未保留" for m in fixed
               if m not in present]
    reported = {(r.project_id, r.institution_id) for r in agenda.impossible}
    for p, i in request.must_meet:
        pair = (str(p), str(i))
        if pairs[pair] == 0 and pair not in reported:
            errors.append(f"必须会面 {pair[0]}/{pair[1]} 既未安排也未说明原因")
        if pairs[pair] > 0 and pair in reported:
            errors.append(f"必须会面 {pair[0]}/{pair[1]} 已安排却被报告为无法安排")
    total = sum(m.score for m in agenda.meetings)
    if abs(total - agenda.objective) > 1e-6 * max(1.0, abs(total)):
        errors.append(f"目标值 {agenda.objective} 与洽谈匹配度之和 {total} 不符")
    return errors
