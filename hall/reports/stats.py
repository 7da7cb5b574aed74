"""Statistics views for a period: each a titled table with Chinese headers.

Definitions:
- wait = issue → first call of the ticket (minutes), counted in the period of the
  ticket's issue day, under the queue it was issued in and the window/clerk that
  first called it;
- service = start → finish of each finished service (from the call when the clerk
  never pressed start), counted on the finish day, under its window and clerk;
- mean, p50, p90, max; percentiles by nearest rank (the smallest value with at
  least p % of the values at or below it);
- rating rate = ratings given ÷ services finished in the period;
- satisfaction rate = (非常满意 + 满意 + 基本满意) ÷ ratings given;
- bad rating (差评) = 不满意 or 非常不满意 (`RatingLevel.bad`); real-name (实名) when the
  ticket was issued to a citizen identified by a card, anonymous (匿名) otherwise;
- item coverage (事项评价覆盖率) = service items with at least one rating ÷ service items of
  the services finished (the item the counter or kiosk recorded on the ticket);
- follow-up figures: see `followup` (整改率 of the cases due, on-time contact /
  rectification / closing, 回复满意率);
- change (环比) = this period's figure − the previous period's (a month: the month before;
  any other range: as many days just before it).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from hall.core.layout import Layout
from hall.core.model import BAD_RATING_REASONS, RATING_LABELS, RatingLevel
from hall.reports.data import HallData, Rating, Service, TicketFacts
from hall.reports.followup import (
    ACTION_LABELS,
    ANSWER_LABELS,
    STATE_LABELS,
    CaseStatus,
    Figures,
    case_status,
    monthly_rectification,
)


@dataclass(frozen=True)
class Period:
    """Days `start` to `end`, both included."""

    start: date
    end: date

    def __contains__(self, d: date | datetime) -> bool:
        day = d.date() if isinstance(d, datetime) else d
        return self.start <= day <= self.end

    @property
    def label(self) -> str:
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()} 至 {self.end.isoformat()}"

    @property
    def is_month(self) -> bool:
        nxt = self.end + timedelta(days=1)
        return self.start.day == 1 and nxt.day == 1 and (nxt - self.start).days <= 31

    @property
    def name(self) -> str:
        """For file names: 2026-12 (a month), 2026-12-07 (a day), 2026-12-01_2026-12-15."""
        if self.is_month:
            return f"{self.start:%Y-%m}"
        if self.start == self.end:
            return self.start.isoformat()
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    def previous(self) -> Period:
        """The month before a month; otherwise as many days just before."""
        if self.is_month:
            last = self.start - timedelta(days=1)
            return Period(last.replace(day=1), last)
        n = (self.end - self.start).days + 1
        return Period(self.start - timedelta(days=n), self.start - timedelta(days=1))


@dataclass
class View:
    """One table of a report: a key (file and sheet names), a title, headers, rows."""

    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]]
    note: str = ""


def percentile(values: list[float], p: float) -> float | None:
    """Nearest-rank percentile; None for no values."""
    if not values:
        return None
    s = sorted(values)
    k = max(1, math.ceil(p / 100 * len(s)))
    return s[k - 1]


def summary(values: list[float]) -> list[float | None]:
    """[mean, p50, p90, max] rounded to 0.1 minute (None for no values)."""
    if not values:
        return [None, None, None, None]
    stats = [sum(values) / len(values), percentile(values, 50), percentile(values, 90), max(values)]
    return [None if v is None else round(v, 1) for v in stats]


def rate(num: int, den: int) -> float | None:
    """A share as a percentage with one decimal; None when nothing to divide by."""
    return round(100 * num / den, 1) if den else None


RATING_HEADS = ["办结", "评价数", "评价率(%)", "非常满意", "满意", "基本满意", "不满意",
                "非常不满意", "满意率(%)", "实名差评", "匿名差评", "事项评价覆盖率(%)",
                "按时联系率(%)", "按时整改率(%)", "按时办结率(%)", "整改率(%)", "回复满意率(%)"]  # fmt: skip
RATING_NOTE = (
    "满意率 = (非常满意+满意+基本满意) ÷ 评价数；评价率 = 评价数 ÷ 办结数；实名 = 持证取号；"
    "事项评价覆盖率 = 有评价的事项 ÷ 办结的事项；按时联系/整改/办结率 = 按期完成 ÷ 已到期"
    "（1/4/13个工作日）；整改率 = 已整改 ÷ 已到期；回复满意率 = 群众答复满意 ÷ 有答复的差评；"
    "差评整改按差评日期归期"
)
SATISFIED = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED, RatingLevel.BASIC)
TIME_HEADS = ["均值", "中位数", "P90", "最大"]


def _heads(prefix: str) -> list[str]:
    return [f"{prefix}{h}(分)" for h in TIME_HEADS]


class Stats:
    """The period's facts, filtered once; each method builds one view."""

    def __init__(self, data: HallData, layout: Layout, period: Period, as_of: date,
                 item_names: dict[str, str] | None = None) -> None:  # fmt: skip
        self.data, self.layout, self.period, self.as_of = data, layout, period, as_of
        self.item_names = item_names or {}
        self.tickets = [t for t in data.tickets.values() if t.day in period]
        self.services = [s for s in data.services if s.finished_at in period]
        self.ratings = [r for r in data.ratings if r.at in period]

    # ---------------------------------------------------------------- helpers

    def queue_name(self, q: str) -> str:
        return self.layout.queues[q].name if q in self.layout.queues else q

    def queue_floor(self, q: str) -> str:
        return self.layout.queues[q].floor if q in self.layout.queues else "?"

    def clerk_label(self, no: str | None) -> str:
        return "" if no is None else self.data.clerk_names.get(no, "")

    def real_name(self, ticket: str) -> bool:
        t = self.data.tickets.get(ticket)
        return t is not None and t.real_name

    def item_of(self, ticket: str) -> str | None:
        t = self.data.tickets.get(ticket)
        return t.item if t is not None else None

    def item_coverage(self, services: list[Service], ratings: list[Rating]) -> tuple[int, int]:
        """(items with a rating, items served): 事项评价覆盖率's numerator and denominator."""
        served = {i for s in services if (i := self.item_of(s.ticket))}
        rated = {i for r in ratings if (i := self.item_of(r.ticket))}
        return len(served & rated), len(served)

    def statuses(self) -> list[CaseStatus]:
        """The period's cases (opened in it) as of `as_of`."""
        return [case_status(c, self.as_of, real_name=self.real_name(c.ticket))
                for c in self.data.cases.values() if c.opened_at in self.period]  # fmt: skip

    def _ratings_cells(self, rs: list[Rating], finished: int) -> list[Any]:
        good = sum(r.level >= RatingLevel.BASIC for r in rs)
        bad = sum(RatingLevel(r.level).bad for r in rs)
        return [len(rs), rate(len(rs), finished), rate(good, len(rs)), bad]

    def _group(
        self,
        key_t: Callable[[TicketFacts], Any],
        key_s: Callable[[Service], Any],
        key_r: Callable[[Rating], Any],
        keys: Iterable[Any],
        label: Callable[[Any], list[Any]],
    ) -> list[list[Any]]:
        rows = []
        for k in keys:
            ts = [t for t in self.tickets if key_t(t) == k]
            ss = [s for s in self.services if key_s(s) == k]
            rs = [r for r in self.ratings if key_r(r) == k]
            waits = [w for t in ts if (w := t.wait_minutes) is not None]
            rows.append([*label(k), len(waits), *summary(waits), len(ss),
                         *summary([s.minutes for s in ss]), *self._ratings_cells(rs, len(ss))])  # fmt: skip
        return rows

    # ---------------------------------------------------------------- views

    def overview(self) -> View:
        waits = [w for t in self.tickets if (w := t.wait_minutes) is not None]
        svc = [s.minutes for s in self.services]
        cases = [c for c in self.data.cases.values() if c.opened_at in self.period]
        sts = [case_status(c, self.as_of) for c in cases]
        n_rated = len(self.ratings)
        good = sum(r.level >= RatingLevel.BASIC for r in self.ratings)
        rows: list[list[Any]] = [
            ["统计期间", self.period.label],
            ["取号数", len(self.tickets)],
            ["已叫号", len(waits)],
            ["办结数", len(self.services)],
            ["过号(未到)", sum(t.no_shows for t in self.tickets)],
            ["转移", sum(t.transfers for t in self.tickets)],
            ["挂起(暂离)", sum(t.parks for t in self.tickets)],
            ["取消/过期", sum(t.state == "cancelled" for t in self.tickets)],
            ["平均等候(分)", summary(waits)[0]],
            ["等候P90(分)", summary(waits)[2]],
            ["平均办理(分)", summary(svc)[0]],
            ["评价数", n_rated],
            ["评价率(%)", rate(n_rated, len(self.services))],
            ["满意率(%)", rate(good, n_rated)],
            ["差评数", sum(RatingLevel(r.level).bad for r in self.ratings)],
            ["差评整改率(%)", rate(sum(s.rectified_at is not None for s in sts),
                                   sum(s.due for s in sts))],
            ["逾期差评", sum(s.overdue for s in sts)],
        ]  # fmt: skip
        f = Figures.of(self.statuses())
        named = Figures.of(s for s in self.statuses() if s.real_name)
        bad = [r for r in self.ratings if RatingLevel(r.level).bad]
        covered, items = self.item_coverage(self.services, self.ratings)
        rows += [
            ["实名差评", sum(self.real_name(r.ticket) for r in bad)],
            ["匿名差评", sum(not self.real_name(r.ticket) for r in bad)],
            ["按时联系率(%)", rate(f.contact_on_time, f.contact_due)],
            ["按时整改率(%)", rate(f.rectify_on_time, f.due)],
            ["按时办结率(%)", rate(f.close_on_time, f.close_due)],
            ["回复满意率(%)", rate(f.satisfied, f.answered)],
            # the reform's 100 % targets are for real-name bad ratings ([C] 三(二)3)
            ["实名差评整改率(%)", rate(named.rectified, named.due)],
            ["实名差评回复满意率(%)", rate(named.satisfied, named.answered)],
            ["事项评价覆盖率(%)", rate(covered, items)],
            ["未记录事项的办结", sum(self.item_of(s.ticket) is None for s in self.services)],
        ]
        return View("overview", "概况", ["指标", "数值"], rows,
                    note="满意率 = (非常满意+满意+基本满意) ÷ 评价数；评价率 = 评价数 ÷ 办结数；"
                    "差评整改率 = 已整改 ÷ 已到期（已整改或已过整改期限）的差评；"
                    "事项评价覆盖率 = 有评价的事项 ÷ 办结的事项")  # fmt: skip

    def by_queue(self) -> View:
        qs = sorted({t.queue for t in self.tickets} | {s.queue for s in self.services},
                    key=lambda q: (q not in self.layout.queues, list(self.layout.queues).index(q) if q in self.layout.queues else 0, q))  # fmt: skip
        rows = []
        for q, row in zip(qs, self._group(lambda t: t.queue, lambda s: s.queue,
                                          lambda r: r.queue, qs, lambda q: [q]), strict=True):  # fmt: skip
            ts = [t for t in self.tickets if t.queue == q]
            counts = [len(ts), sum(t.no_shows for t in ts), sum(t.transfers for t in ts),
                      sum(t.parks for t in ts)]  # fmt: skip
            rows.append([q, self.queue_name(q), self.queue_floor(q), *counts, *row[1:]])
        heads = ["队列", "名称", "楼层", "取号", "过号", "转移", "挂起", "已叫号", *_heads("等候"),
                 "办结", *_heads("办理"), "评价数", "评价率(%)", "满意率(%)", "差评"]  # fmt: skip
        return View("queues", "按队列", heads, rows)

    def by_window(self) -> View:
        ws = sorted({t.first_window for t in self.tickets if t.first_window is not None}
                    | {s.window for s in self.services})  # fmt: skip

        def label(w: int) -> list[Any]:
            fl = self.layout.windows[w].floor if w in self.layout.windows else "?"
            return [w, fl]

        rows = self._group(lambda t: t.first_window, lambda s: s.window, lambda r: r.window,
                           ws, label)  # fmt: skip
        heads = ["窗口", "楼层", "首次叫号", *_heads("等候"), "办结", *_heads("办理"),
                 "评价数", "评价率(%)", "满意率(%)", "差评"]  # fmt: skip
        return View("windows", "按窗口", heads, rows)

    def by_clerk(self) -> View:
        cs = sorted({t.first_clerk for t in self.tickets if t.first_clerk}
                    | {s.clerk for s in self.services if s.clerk})  # fmt: skip
        rows = self._group(lambda t: t.first_clerk, lambda s: s.clerk, lambda r: r.clerk, cs,
                           lambda c: [c, self.clerk_label(c)])  # fmt: skip
        heads = ["工号", "姓名", "首次叫号", *_heads("等候"), "办结", *_heads("办理"),
                 "评价数", "评价率(%)", "满意率(%)", "差评"]  # fmt: skip
        return View("clerks", "按工作人员", heads, rows)

    def by_item(self) -> View:
        counts: dict[str, int] = {}
        for t in self.tickets:
            counts[t.item or ""] = counts.get(t.item or "", 0) + 1
        rows = [[k or "(未选事项)", self.item_names.get(k, ""), n]
                for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]  # fmt: skip
        return View("items", "按事项", ["事项编码", "事项名称", "取号"], rows)

    def by_hour(self) -> View:
        hours = sorted({t.issued_at.hour for t in self.tickets})
        rows = []
        for h in hours:
            ts = [t for t in self.tickets if t.issued_at.hour == h]
            waits = [w for t in ts if (w := t.wait_minutes) is not None]
            done = sum(s.finished_at.hour == h for s in self.services)
            rows.append([f"{h:02d}:00-{h + 1:02d}:00", len(ts), done, *summary(waits)])
        return View("hours", "按时段", ["时段", "取号", "办结", *_heads("等候")], rows,
                    note="等候按取号时段归类")  # fmt: skip

    def by_floor(self) -> View:
        rows = []
        for f in self.layout.floors:
            ts = [t for t in self.tickets if self.queue_floor(t.queue) == f.id]
            ss = [s for s in self.services if s.window in self.layout.windows
                  and self.layout.windows[s.window].floor == f.id]  # fmt: skip
            waits = [w for t in ts if (w := t.wait_minutes) is not None]
            rows.append([f.id, f.name, len(ts), len(ss), *summary(waits)])
        return View("floors", "按楼层", ["楼层", "名称", "取号", "办结", *_heads("等候")], rows,
                    note="取号按队列所在楼层，办结按窗口所在楼层")  # fmt: skip

    def ratings_by_level(self) -> View:
        n = len(self.ratings)
        rows = []
        for lv in RatingLevel:
            k = sum(r.level == lv for r in self.ratings)
            rows.append([int(lv), RATING_LABELS[lv], k, rate(k, n), "是" if lv.bad else ""])
        return View("ratings", "评价等级", ["等级", "评价", "数量", "占比(%)", "差评"], rows)

    def follow_ups(self) -> View:
        rows = []
        cases = sorted((c for c in self.data.cases.values() if c.opened_at in self.period),
                       key=lambda c: c.opened_at)  # fmt: skip
        for c in cases:
            s = case_status(c, self.as_of, real_name=self.real_name(c.ticket))
            acts = "；".join(
                f"{a['at'][5:16].replace('T', ' ')} {ACTION_LABELS.get(a['action'], a['action'])}"
                f"({a.get('by', '')}){' ' + a['note'] if a.get('note') else ''}"
                for a in c.actions if a["at"][:10] <= self.as_of.isoformat()
            )  # fmt: skip
            rows.append([
                c.id, f"{c.opened_at:%Y-%m-%d %H:%M}", c.window, c.clerk or "",
                self.clerk_label(c.clerk), RATING_LABELS[RatingLevel(c.level)],
                "、".join(c.reasons), c.contact_due.isoformat(), c.rectify_due.isoformat(),
                c.complex_due.isoformat(), "是" if s.complex else "", STATE_LABELS[s.status],
                "是" if s.overdue else "", "迟" if s.contact_late else "",
                "迟" if s.rectify_late else "", acts, "迟" if s.close_late else "",
                ANSWER_LABELS.get(s.answer or "", ""), "实名" if s.real_name else "匿名",
            ])  # fmt: skip
        heads = ["案件", "差评时间", "窗口", "工号", "姓名", "评价", "原因", "联系期限(1日)",
                 "整改期限(4日)", "复杂期限(13日)", "复杂", "状态", "逾期", "联系", "整改",
                 "处理记录", "办结", "群众答复", "实名"]  # fmt: skip
        return View("followups", "差评整改", heads, rows,
                    note=f"状态截至 {self.as_of.isoformat()}；期限按大厅工作日计算")  # fmt: skip

    def rectification(self) -> View:
        cases = [c for c in self.data.cases.values() if c.opened_at in self.period]
        rows = [[m.month, m.cases, m.contacted, m.rectified, m.on_time, m.overdue,
                 rate(m.rectified, m.due), rate(m.on_time, m.due)]
                for m in monthly_rectification(case_status(c, self.as_of) for c in cases)]  # fmt: skip
        heads = ["月份", "差评数", "已联系", "已整改", "按时整改", "逾期", "整改率(%)",
                 "按时整改率(%)"]  # fmt: skip
        return View("rectification", "差评整改率", heads, rows,
                    note="整改率 = 已整改 ÷ 已到期（已整改或已过整改期限）的差评；目标 100%")  # fmt: skip

    # ------------------------------------------------ the monthly 好差评 report

    def previous_stats(self) -> Stats:
        """The same figures for the previous period (for 环比)."""
        return Stats(self.data, self.layout, self.period.previous(), self.as_of, self.item_names)

    def _rating_cells(
        self, services: list[Service], ratings: list[Rating], statuses: list[CaseStatus]
    ) -> list[Any]:
        levels = [sum(r.level == lv for r in ratings) for lv in (5, 4, 3, 2, 1)]
        bad = [r for r in ratings if RatingLevel(r.level).bad]
        named = sum(self.real_name(r.ticket) for r in bad)
        f = Figures.of(statuses)
        covered, items = self.item_coverage(services, ratings)
        return [len(services), len(ratings), rate(len(ratings), len(services)), *levels,
                rate(sum(levels[:3]), len(ratings)), named, len(bad) - named,
                rate(covered, items), rate(f.contact_on_time, f.contact_due),
                rate(f.rectify_on_time, f.due), rate(f.close_on_time, f.close_due),
                rate(f.rectified, f.due), rate(f.satisfied, f.answered)]  # fmt: skip

    def _label(self, by: str, k: Any) -> list[Any]:
        if by == "clerk":
            return [k, self.clerk_label(k)]
        win = self.layout.windows.get(k)
        return [k, win.floor if win else "?", win.kind.label if win else ""]

    def rating_report(self, by: str) -> View:
        """好差评 per window (every window of the layout, rated or not) or per clerk, with the
        change against the previous period. `by`: "window" or "clerk"."""
        prev = self.previous_stats()
        sts, prev_sts = self.statuses(), prev.statuses()
        if by == "window":
            keys: list[Any] = sorted(set(self.layout.windows) | {s.window for s in self.services}
                                     | {r.window for r in self.ratings if r.window is not None})  # fmt: skip

            ks, kr, kc = (lambda s: s.window), (lambda r: r.window), (lambda c: c.case.window)
            heads, title = ["窗口", "楼层", "类型"], "好差评月报-按窗口"
        else:
            days = {
                no for no, ds in self.data.duty_days.items() if any(d in self.period for d in ds)
            }
            keys = sorted({s.clerk for s in self.services if s.clerk} | days
                          | {r.clerk for r in self.ratings if r.clerk})  # fmt: skip

            ks, kr, kc = (lambda s: s.clerk), (lambda r: r.clerk), (lambda c: c.case.clerk)
            heads, title = ["工号", "姓名"], "好差评月报-按工作人员"

        def cells(st: Stats, stl: list[CaseStatus], k: Any) -> list[Any]:
            return st._rating_cells([s for s in st.services if ks(s) == k],
                                    [r for r in st.ratings if kr(r) == k],
                                    [c for c in stl if kc(c) == k])  # fmt: skip

        rows = []
        for k, now, before in [
            *((k, cells(self, sts, k), cells(prev, prev_sts, k)) for k in keys),
            ("合计", self._rating_cells(self.services, self.ratings, sts),
             prev._rating_cells(prev.services, prev.ratings, prev_sts)),
        ]:  # fmt: skip
            lab = self._label(by, k) if k != "合计" else ["合计"] + [""] * (len(heads) - 1)
            sat, psat = now[8], before[8]
            bad, pbad = now[9] + now[10], before[9] + before[10]
            change = None if sat is None or psat is None else round(sat - psat, 1)
            rows.append([*lab, *now, psat, change, pbad, bad - pbad])
        return View(f"rating_{by}", title, [*heads, *RATING_HEADS, "上期满意率(%)",
                    "满意率环比(百分点)", "上期差评", "差评环比"], rows,
                    note=f"上期 = {prev.period.label}；{RATING_NOTE}")  # fmt: skip

    def reasons(self) -> View:
        """Bad-rating reasons tallied (a rating may give several), against the last period."""
        prev = self.previous_stats()

        def tally(rs: list[Rating]) -> dict[str, list[int]]:
            out: dict[str, list[int]] = {r: [0, 0] for r in BAD_RATING_REASONS}
            for r in rs:
                if not RatingLevel(r.level).bad:
                    continue
                for why in r.reasons or ("(未填原因)",):
                    c = out.setdefault(why, [0, 0])
                    c[0] += 1
                    c[1] += self.real_name(r.ticket)
            return out

        now, before = tally(self.ratings), tally(prev.ratings)
        n_bad = sum(RatingLevel(r.level).bad for r in self.ratings)
        rows = [[why, n, named, rate(n, n_bad), before.get(why, [0, 0])[0],
                 n - before.get(why, [0, 0])[0]]
                for why, (n, named) in now.items()]  # fmt: skip
        rows.sort(key=lambda r: -int(r[1] or 0))
        return View("reasons", "差评原因", ["原因", "次数", "其中实名", "占差评(%)", "上期次数",
                    "环比"], rows,
                    note=f"差评 {n_bad} 条，一条差评可选多个原因；上期 = {prev.period.label}")  # fmt: skip

    def report_views(self) -> list[View]:
        """The monthly 好差评 report a district asks for."""
        return [self.rating_report("window"), self.rating_report("clerk"), self.reasons()]

    def downtime(self) -> View:
        start = datetime.combine(self.period.start, datetime.min.time())
        end = min(datetime.combine(self.period.end, datetime.max.time()),
                  datetime.combine(self.as_of, datetime.max.time()))  # fmt: skip
        per: dict[str, list[float]] = {}
        offline_since: dict[str, datetime] = {}
        for e in sorted(self.data.devices, key=lambda e: e.at):
            if not e.online:
                offline_since.setdefault(e.device, e.at)
                per.setdefault(e.device, [])
            elif e.device in offline_since:
                a = max(offline_since.pop(e.device), start)
                if e.at > a and e.at >= start and a <= end:
                    per.setdefault(e.device, []).append((min(e.at, end) - a).total_seconds() / 60)
        for dev, since in offline_since.items():  # still offline at the period's end
            a = max(since, start)
            if a < end:
                per.setdefault(dev, []).append((end - a).total_seconds() / 60)
        rows = [[d, len(v), round(sum(v), 1), "是" if d in offline_since else ""]
                for d, v in sorted(per.items())]  # fmt: skip
        note = "" if self.data.devices else "数据库中没有设备上下线事件（device.online/offline）"
        return View(
            "devices", "设备离线", ["设备", "离线次数", "离线时长(分)", "仍离线"], rows, note
        )

    def all_views(self) -> list[View]:
        return [self.overview(), self.by_queue(), self.by_item(), self.by_hour(),
                self.by_floor(), self.by_window(), self.by_clerk(), self.ratings_by_level(),
                self.follow_ups(), self.rectification(), self.downtime()]  # fmt: skip
