"""The gateway's pages: plain server-rendered HTML, Chinese by default with an English switch.

Every value is escaped here. A page reads on a phone (16 px and up) and works without
JavaScript; a few lines of script only take the live updates (server-sent events) and
swap in the fragment the server rendered. No person data reaches a page: tickets are
shown by number, never by ID number or name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from hall.core.model import BAD_RATING_REASONS, RATING_LABELS, RatingLevel

NEAR = 3  # "nearly your turn" at this many people ahead or fewer

RATING_LABELS_EN = {5: "Very satisfied", 4: "Satisfied", 3: "Fair", 2: "Dissatisfied",
                    1: "Very dissatisfied"}  # fmt: skip
REASONS_EN = {"态度": "Attitude", "效率": "Speed", "政策解释": "Explaining the rules",
              "材料要求": "Documents asked for", "其他": "Other"}  # fmt: skip


def e(x: object) -> str:
    return escape(str(x), quote=True)


def t(lang: str, zh: str, en: str) -> str:
    """The sentence in the page's language (escaped)."""
    return e(en if lang == "en" else zh)


def _name(obj: Mapping[str, Any], lang: str, key: str = "name") -> str:
    return str(obj.get(f"{key}_en") or obj.get(key, "")) if lang == "en" else str(obj.get(key, ""))


CSS = """
*{box-sizing:border-box}
html{font-size:18px;-webkit-text-size-adjust:100%}
body{margin:0;font-family:"WenQuanYi Micro Hei","Noto Sans CJK SC","PingFang SC",
"Microsoft YaHei",sans-serif;background:#f4f6f8;color:#1b1f24;line-height:1.5}
header{background:#b3261e;color:#fff;padding:.6rem 1rem;display:flex;
justify-content:space-between;align-items:center;gap:1rem}
header a{color:#fff;font-size:1rem}
main{max-width:40rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:.6rem;padding:1rem 1.2rem;margin:0 0 1rem;
box-shadow:0 1px 3px rgba(0,0,0,.12)}
.number{font-size:3.5rem;font-weight:700;letter-spacing:.1em;text-align:center;margin:.2rem 0}
.where{text-align:center;font-size:1.1rem;color:#444}
.big{font-size:1.8rem;font-weight:700;text-align:center}
.near{background:#fff4ce;border:2px solid #e0a800}
.called{background:#d9f2dd;border:3px solid #1e7b34}
.muted{color:#555}
.stale{background:#eee;border:2px dashed #888;color:#333;text-align:center}
label{display:block;font-size:1.1rem;padding:.45rem 0}
input[type=radio],input[type=checkbox]{width:1.3rem;height:1.3rem;vertical-align:middle}
button,input[type=submit]{font-size:1.2rem;padding:.6rem 1.4rem;border-radius:.4rem;
border:0;background:#b3261e;color:#fff}
input[type=text],input[type=date],select{font-size:1.1rem;padding:.4rem;width:100%}
table{border-collapse:collapse;width:100%}
td,th{padding:.4rem;border-bottom:1px solid #ddd;text-align:left;font-size:1.1rem}
.error{color:#b3261e;font-weight:700}
.code{font-size:2.4rem;font-weight:700;letter-spacing:.08em;text-align:center;
font-family:monospace;word-break:break-all}
#qr{width:12rem;margin:.5rem auto}#qr svg{width:100%;height:auto}
.slots{display:grid;grid-template-columns:repeat(auto-fill,minmax(9rem,1fr))}
"""

SCRIPT = """
(function(){var m=document.querySelector('[data-live]');if(!m||!window.EventSource)return;
var last=m.getAttribute('data-state');var es=new EventSource(m.getAttribute('data-live'));
es.onmessage=function(ev){var d=JSON.parse(ev.data);m.innerHTML=d.html;
if(d.state&&d.state!==last){if(d.state==='called'){try{navigator.vibrate&&
navigator.vibrate([400,150,400,150,400]);var a=new (window.AudioContext||
window.webkitAudioContext)();var o=a.createOscillator();o.frequency.value=880;
o.connect(a.destination);o.start();o.stop(a.currentTime+0.6);}catch(x){}}
last=d.state;m.setAttribute('data-state',last);}};})();
"""


def page(title: str, body: str, *, lang: str, switch: str, live: bool = False) -> str:
    """A whole page. `switch` is the address of the same page in the other language."""
    other = "中文" if lang == "en" else "English"
    script = f"<script>{SCRIPT}</script>" if live else ""
    return (
        f'<!doctype html><html lang="{"en" if lang == "en" else "zh-CN"}"><head>'
        '<meta charset="utf-8"><meta name="viewport" content="width=device-width,'
        f'initial-scale=1"><title>{e(title)}</title><style>{CSS}</style></head><body>'
        f'<header><strong>{e(title)}</strong><a href="{e(switch)}" id="lang">{other}</a>'
        f"</header><main>{body}</main>{script}</body></html>"
    )


# ------------------------------------------------------------------ the ticket


def _queue(layout: Mapping[str, Any], qid: str) -> dict[str, Any]:
    for q in layout.get("queues", []):
        if q["id"] == qid:
            return dict(q)
    return {"id": qid, "name": qid, "floor": "", "area": ""}


def _floor(layout: Mapping[str, Any], fid: str | None) -> dict[str, Any]:
    for f in layout.get("floors", []):
        if f["id"] == fid:
            return dict(f)
    return {"id": fid or "", "name": fid or ""}


def ticket_json(layout: Mapping[str, Any], s: Mapping[str, Any], stale: bool) -> dict[str, Any]:
    """`GET /api/t/{token}`: the ticket as its owner's phone needs it."""
    q = _queue(layout, s["queue"])
    return {
        "number": s["number"], "queue": s["queue"], "state": s["state"], "ahead": s["ahead"],
        "wait_min": s["wait_min"], "window": s["window"],
        "queue_name": q.get("name", ""), "queue_name_en": q.get("name_en", ""),
        "floor": q.get("floor", ""), "area": q.get("area", ""), "area_en": q.get("area_en", ""),
        "window_floor": s.get("window_floor"), "rated": bool(s.get("rated")), "stale": stale,
    }  # fmt: skip


def ticket_status_html(
    layout: Mapping[str, Any], s: Mapping[str, Any], *, lang: str, token: str, stale: bool,
    note: str = "",
) -> str:  # fmt: skip
    """The part of the ticket page that changes (sent again over SSE)."""
    q = _queue(layout, s["queue"])
    state = s["state"]
    out = [f'<div class="card"><div class="number" id="number">{e(s["number"])}</div>'
           f'<div class="where">{e(_name(q, lang))} · '
           f'{e(_name(q, lang, "area"))}</div></div>']  # fmt: skip
    if stale:
        out.append(f'<div class="card stale" id="stale">{t(lang, "网络连接中断，以下为最后已知状态，请留意现场叫号", "Connection lost: this is the last known state. Please watch the hall board.")}</div>')  # fmt: skip
    win = s.get("window")
    wfloor = _name(_floor(layout, s.get("window_floor")), lang)
    # the states told in one sentence (Chinese, English)
    one_line = {
        "serving": (f"正在 {win} 号窗口办理", f"Being served at window {win}"),
        "parked": (f"暂缓办理：补齐材料后请留意 {win} 号窗口叫号",
                   f"On hold: when ready, window {win} will call you again"),
        "no_show": ("您已过号，请到服务台重新签到", "You missed your call: please see the service desk"),
        "cancelled": ("该号码已取消", "This ticket was cancelled"),
    }  # fmt: skip
    if state in ("waiting", "transferred"):
        ahead = int(s.get("ahead") or 0)
        lo, hi = (s.get("wait_min") or [0, 0])[:2]
        near = ahead <= NEAR
        cls = "card near" if near else "card"
        out.append(f'<div class="{cls}" id="state" data-state="{e(state)}">')
        if state == "transferred":
            out.append(f"<p>{t(lang, '您的号码已转办，请继续等候', 'Your ticket was transferred; please keep waiting.')}</p>")  # fmt: skip
        if near:
            out.append(f'<p class="big" id="near">{t(lang, "快到您了，请在等候区留意叫号", "Nearly your turn: please stay near the waiting area")}</p>')  # fmt: skip
        out.append(f'<p class="big" id="ahead">{t(lang, f"前面还有 {ahead} 人", f"{ahead} ahead of you")}</p>')  # fmt: skip
        wait = (t(lang, "即将叫号", "Called soon") if hi <= 1
                else t(lang, f"预计等候 {lo}–{hi} 分钟", f"Expected wait {lo}–{hi} min"))  # fmt: skip
        out.append(f'<p class="where" id="wait">{wait}</p></div>')
    elif state == "called":
        # another floor than the queue's waiting area: the floor goes into the call itself
        far = s.get("window_floor") not in (None, q.get("floor"))
        go = (t(lang, f"请到{wfloor} {win} 号窗口", f"Please go to window {win}, {wfloor}")
              if far else t(lang, f"请到 {win} 号窗口", f"Please go to window {win}"))  # fmt: skip
        out.append(f'<div class="card called" id="state" data-state="called"><p class="big" id="go">'
                   f'{go}</p>'
                   f'<p class="where">{e(wfloor)}</p></div>')  # fmt: skip
    elif state in one_line:
        out.append(f'<div class="card" id="state" data-state="{state}"><p class="big">'
                   f"{t(lang, *one_line[state])}</p></div>")  # fmt: skip
    elif state == "finished":
        out.append('<div class="card" id="state" data-state="finished">')
        out.append(f'<p class="big">{t(lang, "办理完毕", "Done")}</p>')
        if s.get("rated"):
            out.append(f'<p class="where" id="thanks">{t(lang, "感谢您的评价！", "Thank you for your rating!")}</p>')  # fmt: skip
        elif not stale:
            out.append(rating_form(token, lang))
        out.append("</div>")
    if note:
        out.append(f'<div class="card error" id="note">{e(note)}</div>')
    return "".join(out)


def rating_form(token: str, lang: str) -> str:
    """好差评 on the phone: the five national levels, the reasons for a bad one."""
    rows = []
    for lv in RatingLevel:
        label = RATING_LABELS_EN[int(lv)] if lang == "en" else RATING_LABELS[lv]
        rows.append(f'<label><input type="radio" name="level" value="{int(lv)}" required> '
                    f"{e(label)}</label>")  # fmt: skip
    reasons = "".join(
        f'<label><input type="checkbox" name="reasons" value="{e(r)}"> '
        f"{e(REASONS_EN[r] if lang == 'en' else r)}</label>"
        for r in BAD_RATING_REASONS
    )
    return (
        f'<form method="post" action="/t/{e(token)}/rating?lang={e(lang)}" id="rate">'
        f"<h2>{t(lang, '请对本次服务进行评价', 'Please rate this service')}</h2>{''.join(rows)}"
        f"<p class='muted'>{t(lang, '不满意的原因（可多选）：', 'If dissatisfied, why (any):')}</p>"
        f'{reasons}<p><input type="submit" value="{t(lang, "提交评价", "Send")}"></p></form>'
    )


def ticket_page(layout: Mapping[str, Any], status_html: str, state: str, *, token: str,
                lang: str) -> str:  # fmt: skip
    live = f"/api/t/{token}/events?lang={lang}"
    body = (f'<div data-live="{e(live)}" data-state="{e(state)}" id="live">{status_html}</div>'
            f"<noscript><p class='muted'>{t(lang, '刷新页面可查看最新状态', 'Reload the page for the latest state')}</p></noscript>")  # fmt: skip
    title = _name(layout, lang) or t(lang, "排队进度", "Your ticket")
    return page(title, body, lang=lang, switch=f"/t/{token}?lang={_other(lang)}", live=True)


def message_page(layout: Mapping[str, Any], zh: str, en: str, *, lang: str, switch: str) -> str:
    title = _name(layout, lang) or "一窗"
    return page(title, f'<div class="card"><p class="big">{t(lang, zh, en)}</p></div>',
                lang=lang, switch=switch)  # fmt: skip


def _other(lang: str) -> str:
    return "zh" if lang == "en" else "en"


# ------------------------------------------------------------------ the board


def board_html(
    layout: Mapping[str, Any], board: Mapping[str, Any], queues: Iterable[Mapping[str, Any]],
    recent: Iterable[Mapping[str, Any]], *, floor: str, lang: str, stale: bool, at: str,
) -> str:  # fmt: skip
    """A floor's board: the latest call, recent calls, the windows and the queues."""
    f = _floor(layout, floor)
    wins = [w for w in layout.get("windows", []) if w.get("floor") == floor]
    qs = {q["id"] for q in layout.get("queues", []) if q.get("floor") == floor}
    calls = list(recent)
    out = []
    if stale:
        out.append(f'<div class="card stale" id="stale">{t(lang, "与中心服务的连接中断，显示的是最后已知状态", "Connection to the hall lost: showing the last known state")}</div>')  # fmt: skip
    out.append(f'<div class="card"><div class="where">{e(_name(f, lang))} · {e(at[11:16])}</div>')
    if calls:
        c = calls[0]
        num, win = c["number"], c["window"]
        where = _name(_floor(layout, c["floor"]), lang) if c.get("floor") else ""  # t() escapes
        call = (t(lang, f"请 {num} 号到{where} {win} 号窗口",
                  f"Number {num}, please go to window {win}, {where}") if where
                else t(lang, f"请 {num} 号到 {win} 号窗口", f"Number {num}, please go to window {win}"))  # fmt: skip
        out.append(f'<p class="big" id="call">{call}</p>')
    else:
        out.append(f'<p class="big" id="call">{t(lang, "欢迎光临", "Welcome")}</p>')
    out.append("</div>")
    if len(calls) > 1:
        out.append(
            f'<div class="card"><h2>{t(lang, "最近叫号", "Recent calls")}</h2><table id="recent">'
        )
        for c in calls[1:8]:
            win = c["window"]
            where = e(_name(_floor(layout, c["floor"]), lang)) + " " if c.get("floor") else ""
            out.append(f"<tr><td>{e(c['number'])}</td>"
                       f"<td>{where}{t(lang, f'{win} 号窗口', f'window {win}')}</td></tr>")  # fmt: skip
        out.append("</table></div>")
    out.append(f'<div class="card"><h2>{t(lang, "窗口", "Windows")}</h2><table id="windows">')
    live = board.get("windows", {})
    for w in wins:
        n = w["number"]
        st = live.get(str(n), {})
        state = st.get("state", "closed")
        now = st.get("current") or ""
        label = {"open": t(lang, "服务中", "open"), "paused": t(lang, "暂停", "paused"),
                 "closed": t(lang, "未开放", "closed")}.get(state, e(state))  # fmt: skip
        out.append(f"<tr><td>{t(lang, f'{n} 号窗口', f'Window {n}')}</td><td>{label}</td>"
                   f"<td>{e(now)}</td></tr>")  # fmt: skip
    out.append("</table></div>")
    out.append(f'<div class="card"><h2>{t(lang, "排队情况", "Queues")}</h2><table id="queues">')
    for q in queues:
        if q.get("queue") not in qs:
            continue
        text = q.get("estimate_text_en") if lang == "en" else q.get("estimate_text")
        n = int(q.get("waiting", 0))
        name = _name(_queue(layout, str(q["queue"])), lang)
        out.append(f"<tr><td>{e(name)}</td><td>{t(lang, f'{n} 人等候', f'{n} waiting')}</td>"
                   f"<td>{e(text or '')}</td></tr>")  # fmt: skip
    out.append("</table></div>")
    return "".join(out)


def board_page(layout: Mapping[str, Any], inner: str, *, floor: str, lang: str) -> str:
    live = f"/board/{floor}/events?lang={lang}"
    body = f'<div data-live="{e(live)}" data-state="" id="live">{inner}</div>'
    title = _name(layout, lang) or "一窗"
    return page(title, body, lang=lang, switch=f"/board/{floor}?lang={_other(lang)}", live=True)


# ------------------------------------------------------------------ booking


def qr_svg(text: str) -> str:
    """A QR code as inline SVG (no image files, no JavaScript)."""
    import io

    import qrcode
    import qrcode.image.svg

    img = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    buf = io.BytesIO()
    img.save(buf)
    svg = buf.getvalue().decode()
    return svg[svg.index("<svg") :]


def bookable(layout: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [dict(q) for q in layout.get("queues", []) if int(q.get("booking_per_slot", 0)) > 0]


def booking_form(
    layout: Mapping[str, Any], *, lang: str, queue: str, day: str, days: tuple[str, str],
    slots: list[Mapping[str, Any]] | None, note: str = "",
) -> str:  # fmt: skip
    """Step 1 (queue and day: GET, so it works without JavaScript), step 2 (slot, ID
    number and name: POST)."""
    opts = "".join(
        f'<option value="{e(q["id"])}"{" selected" if q["id"] == queue else ""}>'
        f"{e(_name(q, lang))}</option>"
        for q in bookable(layout)
    )
    out = [f'<div class="card"><h2>{t(lang, "网上预约", "Book an appointment")}</h2>'
           f'<form method="get" action="/book" id="pick"><input type="hidden" name="lang" value="{e(lang)}">'
           f'<label>{t(lang, "办理业务", "Service")}<select name="queue">{opts}</select></label>'
           f'<label>{t(lang, "日期", "Date")}<input type="date" name="date" value="{e(day)}" '
           f'min="{e(days[0])}" max="{e(days[1])}" required></label>'
           f'<p><input type="submit" value="{t(lang, "查看可预约时段", "Show free times")}"></p></form></div>']  # fmt: skip
    if note:
        out.append(f'<div class="card error" id="note">{e(note)}</div>')
    if slots is not None:
        free = [s for s in slots if s["left"] > 0]
        if not free:
            out.append(f'<div class="card" id="noslots">{t(lang, "该日没有可预约的时段，请选择其他日期", "No free times that day; please pick another day")}</div>')  # fmt: skip
        else:
            radios = ""
            for s in free:
                left = int(s["left"])
                radios += (f'<label><input type="radio" name="slot" value="{e(s["slot"])}" '
                           f"required> {e(s['slot'])} <span class='muted'>"
                           f"{t(lang, f'（余 {left} 个）', f'({left} left)')}</span></label>")  # fmt: skip
            out.append(
                f'<div class="card"><form method="post" action="/book?lang={e(lang)}" id="book">'
                f'<input type="hidden" name="queue" value="{e(queue)}">'
                f'<input type="hidden" name="date" value="{e(day)}">'
                f"<h2>{t(lang, '选择时段', 'Choose a time')}</h2><div class='slots'>{radios}</div>"
                f'<label>{t(lang, "身份证号码", "ID card number")}<input type="text" name="id_number" '
                f'inputmode="text" autocomplete="off" maxlength="18" required></label>'
                f'<label>{t(lang, "姓名", "Name")}<input type="text" name="name" autocomplete="off" maxlength="30"></label>'
                f"<p class='muted'>{t(lang, '身份证号码仅用于到场签到核验，不会显示或保存明文。', 'Your ID number is only used to match you at check-in; it is never shown or stored in clear.')}</p>"
                f'<p><input type="submit" value="{t(lang, "提交预约", "Book")}"></p></form></div>'
            )  # fmt: skip
    return "".join(out)


def booked_html(layout: Mapping[str, Any], *, lang: str, code: str, queue: str, slot: str) -> str:
    q = _queue(layout, queue)
    when = slot.replace("T", " ")[:16]
    return (
        f'<div class="card"><p class="big">{t(lang, "预约成功", "Booked")}</p>'
        f'<p class="where">{e(_name(q, lang))} · {e(when)}</p>'
        f'<p class="code" id="code">{e(code)}</p>'
        f'<div id="qr">{qr_svg(code)}</div>'
        f"<p>{t(lang, '请于预约时段前30分钟内到大厅取号机选择“预约签到”，输入或扫描预约码取号。', 'Up to 30 minutes before your time, choose Appointment check-in at a hall kiosk and type or scan this code.')}</p>"
        f"</div>"
    )  # fmt: skip
