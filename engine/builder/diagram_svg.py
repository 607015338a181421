"""The SVG text of a placed workflow drawing, every word escaped.

Our pages forbid inline styles and scripts (Content-Security-Policy), so the drawing uses
SVG presentation attributes for geometry and font sizes and CSS classes (web/static/css/
app.css, the `wf-` rules) for colours: never a `style` attribute or a `<style>` element.
Every text from the pack (titles, role names, ids) passes through `html.escape`, so a title
such as `<script>` is drawn as those characters. Each state and arrow carries `data-`
attributes naming it, for tests and for the builder's script to find it.
"""

from __future__ import annotations

from html import escape

from engine.builder.diagram_layout import LINE, Box, Layout, Route, clip, text_width

TITLE_SIZE, MARK_SIZE, LABEL_SIZE = 13.5, 10.5, 11
SCALE_LIMIT = 1760  # wider drawings would shrink below ~70 % on a desk screen: they scroll


def _attrs(**values: object) -> str:
    return "".join(
        f' {key.rstrip("_").replace("_", "-")}="{escape(str(value), quote=True)}"'
        for key, value in values.items()
        if value is not None
    )


def _g(cls: str, body: str, **data: object) -> str:
    return f"<g{_attrs(class_=cls, **data)}>{body}</g>"


def draw_box(box: Box, marks: tuple[str, str], badges: list[int], ident: str) -> str:
    """One state: a rounded box (doubled when final), its title, its marks and flags.

    `marks` is (the line drawn under the title, the fuller one of its tooltip)."""
    mark, told = marks
    s = box.state
    flags = [c for c, on in (("wf-unreachable", s.unreachable), ("wf-dead-end", s.dead_end)) if on]
    cls = " ".join(["wf-state", f"wf-color-{s.color}", *flags,
                    *(["wf-final"] if s.final else []), *(["wf-readonly"] if s.readonly else [])])  # fmt: skip
    tooltip = f"{s.title} ({s.id})" + (f" — {told}" if told else "")
    parts = [f"<title>{escape(tooltip)}</title>"]
    parts.append(
        f"<rect{_attrs(x=box.x, y=box.y, width=box.w, height=box.h, rx=10, class_='wf-box')}/>"
    )
    if s.final:
        parts.append(
            f"<rect{_attrs(x=box.x + 4, y=box.y + 4, width=box.w - 8, height=box.h - 8, rx=7, class_='wf-box-inner')}/>"
        )
    if s.readonly:
        parts.append(_lock(box.x + box.w - 20, box.y + 9))
    cx = box.x + box.w / 2
    size, lines = title_lines(s.title, (box.w - 34 if s.readonly else box.w - 16) / 1.1)
    height = len(lines) * (size + 2) + (15 if mark else 0)  # bold titles: estimate + 10 %
    first = box.y + (box.h - height) / 2 + (size + 2) / 2
    for i, line in enumerate(lines):
        at = _attrs(x=cx, y=first + i * (size + 2), font_size=size, text_anchor="middle",
                    dominant_baseline="central", class_="wf-state-title")  # fmt: skip
        parts.append(f"<text{at}>{escape(line)}</text>")
    title_y = first + (len(lines) - 1) * (size + 2) - 2
    if mark:
        clock = 12 if s.due else 0  # a due time: the line starts with it, after a clock
        shown = clip(mark, MARK_SIZE, box.w - 16 - clock)
        x, y = cx + clock / 2, title_y + 17
        if clock:
            parts.append(_clock(x - text_width(shown, MARK_SIZE) / 2 - 7, y))
        parts.append(
            f"<text{_attrs(x=x, y=y, font_size=MARK_SIZE, text_anchor='middle', dominant_baseline='central', class_='wf-state-marks')}>{escape(shown)}</text>"
        )
    if s.initial:
        parts.append(_start(box, ident))
    for i, number in enumerate(badges):
        parts.append(_badge(box.x + 2 + i * 20, box.y + 2, number))
    return _g(cls, "".join(parts), data_state=s.id)


def title_lines(title: str, room: float) -> tuple[float, list[str]]:
    """A state's title on one line, or on two at a smaller size, clipped if still too long."""
    if text_width(title, TITLE_SIZE) <= room:
        return TITLE_SIZE, [title]
    size = TITLE_SIZE - 2
    words = title.split(" ")
    if len(words) > 1:
        cuts = [(" ".join(words[:i]), " ".join(words[i:])) for i in range(1, len(words))]
    else:
        cuts = [(title[:i], title[i:]) for i in range(1, len(title))]
    head, tail = min(cuts, key=lambda c: max(text_width(c[0], size), text_width(c[1], size)))
    return size, [clip(head, size, room), clip(tail, size, room)]


def _lock(x: float, y: float) -> str:
    """A small padlock: the record's data is locked in this state."""
    return (
        f'<g class="wf-lock"><rect{_attrs(x=x, y=y + 4, width=10, height=8, rx=1.5)}/>'
        f"<path{_attrs(d=f'M{x + 2.5} {y + 4} v-1.5 a2.5 2.5 0 0 1 5 0 v1.5', fill='none')}/></g>"
    )


def _clock(x: float, y: float) -> str:
    """A small clock face: the state has a due time (no emoji font is needed to show it)."""
    hands = f"M{x:g} {y - 2.6:g} V{y:g} H{x + 2:g}"
    return f'<g class="wf-clock"><circle{_attrs(cx=x, cy=y, r=4.5)}/><path{_attrs(d=hands)}/></g>'


def _start(box: Box, ident: str) -> str:
    """The filled dot and arrow that mark the initial state."""
    cx, cy = box.x - 26, box.y + box.h / 2
    return (
        f"<circle{_attrs(cx=cx, cy=cy, r=6, class_='wf-start')}/>"
        f"<path{_attrs(d=f'M{cx + 6} {cy} L{box.x - 3} {cy}', class_='wf-line wf-start-line', marker_end=f'url(#{ident}-arrow)')}/>"
    )


def _badge(x: float, y: float, number: int) -> str:
    """A numbered flag on a state, matching the explanation below the drawing."""
    return (
        f'<g class="wf-badge"><circle{_attrs(cx=x, cy=y, r=9)}/>'
        f"<text{_attrs(x=x, y=y, font_size=10.5, text_anchor='middle', dominant_baseline='central')}>{number}</text></g>"
    )


def draw_route(route: Route, ident: str) -> str:
    """An arrow's line, with a tooltip giving its whole label."""
    arrow = route.arrow
    vote = " wf-edge-vote" if arrow.approval else ""
    vote += " wf-edge-auto" if arrow.automatic else ""
    marker = f"url(#{ident}-arrow{'-vote' if arrow.approval else ''})"
    tooltip = " · ".join(text for _, text in route.lines)
    body = f"<title>{escape(tooltip)}</title><path{_attrs(d=route.d, class_='wf-line', fill='none', marker_end=marker)}/>"
    return _g(f"wf-edge wf-edge-{route.kind}{vote}", body,
              data_transition=arrow.id, data_from=arrow.source, data_to=arrow.target)  # fmt: skip


def draw_label(route: Route) -> str:
    """An arrow's label on a white ground, so that lines under it do not hide a word."""
    if route.one_line:
        budget = route.width
        spans = []
        for i, (cls, text) in enumerate(route.lines):
            shown = clip(("· " if i else "") + text, LABEL_SIZE, budget)
            budget -= text_width(shown + " ", LABEL_SIZE)
            spans.append((cls, shown))
            if budget < LABEL_SIZE * 2:
                break
        widths = [text_width(t + " ", LABEL_SIZE) for _, t in spans]
        texts = "".join(f"<tspan{_attrs(class_=cls)}>{escape(t)} </tspan>" for cls, t in spans)
        return _label_group(
            route, sum(widths), 1, f"<text{_text_attrs(route, route.label_y)}>{texts}</text>"
        )
    lines = [(cls, clip(text, LABEL_SIZE, route.width)) for cls, text in route.lines]
    width = max(text_width(t, LABEL_SIZE) for _, t in lines)
    body = "".join(
        f"<text{_text_attrs(route, route.label_y + i * LINE, cls)}>{escape(t)}</text>"
        for i, (cls, t) in enumerate(lines)
    )
    return _label_group(route, width, len(lines), body)


def _text_attrs(route: Route, y: float, cls: str | None = None) -> str:
    return _attrs(x=route.label_x, y=y, font_size=LABEL_SIZE, text_anchor=route.anchor,
                  dominant_baseline="central", class_=cls)  # fmt: skip


def _label_group(route: Route, width: float, count: int, body: str) -> str:
    pad = 4
    if route.anchor == "start":
        left = route.label_x - pad
    elif route.anchor == "end":
        left = route.label_x - width - pad
    else:
        left = route.label_x - width / 2 - pad
    top = route.label_y - LINE / 2 - 1
    ground = _attrs(x=left, y=top, width=width + 2 * pad, height=count * LINE + 2, rx=3,
                    class_="wf-label-bg")  # fmt: skip
    return _g("wf-label", f"<rect{ground}/>{body}", data_transition=route.arrow.id)


def _defs(ident: str) -> str:
    head = "M0 0 L10 5 L0 10 z"
    markers = "".join(
        f"<marker{_attrs(id=f'{ident}-arrow{suffix}', viewBox='0 0 10 10', refX=9, refY=5, markerWidth=7, markerHeight=7, orient='auto-start-reverse')}>"
        f"<path{_attrs(d=head, class_=f'wf-arrowhead{suffix}')}/></marker>"
        for suffix in ("", "-vote")
    )
    return f"<defs>{markers}</defs>"


def to_svg(layout: Layout, marks: dict[str, tuple[str, str]], badges: dict[str, list[int]], title: str,
           ident: str) -> str:  # fmt: skip
    """The whole drawing: arrows under states, labels over both."""
    width, height = f"{layout.width:g}", f"{layout.height:g}"
    wide = " wf-svg-wide" if layout.width > SCALE_LIMIT else ""  # scrolls rather than shrinks
    head = _attrs(xmlns="http://www.w3.org/2000/svg", class_="wf-svg" + wide, viewBox=f"0 0 {width} {height}",
                  width=width, height=height, role="img", aria_labelledby=f"{ident}-title")  # fmt: skip
    edges = "".join(draw_route(r, ident) for r in layout.routes)
    states = "".join(
        draw_box(box, marks[key], badges.get(key, []), ident) for key, box in layout.boxes.items()
    )
    labels = "".join(draw_label(r) for r in layout.routes)
    return (
        f"<svg{head}><title{_attrs(id=f'{ident}-title')}>{escape(title)}</title>{_defs(ident)}"
        f"{_g('wf-edges', edges)}{_g('wf-states', states)}{_g('wf-labels', labels)}</svg>"
    )
