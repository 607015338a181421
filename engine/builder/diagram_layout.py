"""Where the states of a workflow drawing sit and how its arrows run between them.

States stand in columns by their distance from the initial state, left to right, and in
rows within a column (engine/builder/diagram.py chose both). An arrow to the next columns
runs as a curve between facing sides; an arrow within a column runs straight down or up (or
round the right side when it would cross a state); an arrow back to an earlier column, or
one that would cross a state on its way forward, runs round the drawing in a lane of its
own above or below it, whichever side crosses fewer states; an arrow to its own state loops
over the box. Sizes are in SVG user units; text widths are estimated (a CJK character is
about twice as wide as a Latin one), which is all a label's background box needs.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from engine.builder.diagram_graph import Arrow, Graph, State

BOX_W, BOX_H = 164, 58
GAP_X, GAP_Y = 184, 92
MARGIN, START_W = 20, 34
LANE = 28  # between two lanes round the drawing
LINE = 14  # between two lines of a label
LOOP = 44  # room above a row for loops to the same state


def text_width(text: str, size: float) -> float:
    """An estimate of how wide `text` is at font size `size`."""
    wide = sum(1 for c in text if ord(c) > 0x2E7F)
    return (len(text) - wide) * size * 0.58 + wide * size * 1.02


def clip(text: str, size: float, width: float) -> str:
    """`text` cut with an ellipsis so that it fits `width`."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


Line = tuple[str, str]  # (CSS class, text)


@dataclass(frozen=True)
class Box:
    state: State
    x: float
    y: float
    w: float = BOX_W
    h: float = BOX_H


@dataclass(frozen=True)
class Route:
    """An arrow's path (SVG `d`), its label lines and where the label is anchored."""

    arrow: Arrow
    kind: str  # forward, down, up, side, lane, loop
    d: str
    lines: tuple[Line, ...]
    label_x: float
    label_y: float
    anchor: str = "middle"  # the label's text-anchor
    width: float = GAP_X - 14  # the widest a label line may be
    one_line: bool = False  # the lines written one after the other (lanes and loops)


@dataclass
class Layout:
    boxes: dict[str, Box]
    routes: list[Route] = field(default_factory=list)
    width: float = 0
    height: float = 0


def label_lines(arrow: Arrow) -> tuple[Line, ...]:
    """The label of an arrow: its title, its roles, its vote and its marks, each a line."""
    lines = [("wf-label-title", arrow.title)]
    if arrow.roles:
        lines.append(("wf-label-roles", ", ".join(arrow.roles)))
    if arrow.approval:
        lines.append(("wf-label-vote", arrow.approval))
    if arrow.marks:
        lines.append(("wf-label-marks", " · ".join(arrow.marks)))
    return tuple(lines)


def _fmt(*values: float) -> str:
    return " ".join(f"{v:g}" for v in values)


def _between(source: Box, target: Box, boxes: dict[str, Box]) -> bool:
    """Whether a straight run from `source` to `target` would cross another state."""
    low, high = sorted((source.state.layer, target.state.layer))
    for box in boxes.values():
        if (
            low < box.state.layer < high
            and min(source.y, target.y) - BOX_H < box.y <= max(source.y, target.y) + BOX_H - 1
        ):
            return True
    return False


def _crossed(box: Box, side: str, boxes: dict[str, Box]) -> int:
    """How many states a vertical run from `box` to the top (or bottom) of the drawing crosses."""
    same = [b for b in boxes.values() if b.state.layer == box.state.layer]
    return sum(1 for b in same if (b.y < box.y if side == "top" else b.y > box.y))


def place(graph: Graph) -> Layout:
    """Boxes and routes of an analysed graph (see the module docstring)."""
    states = list(graph.states.values())
    layers = max((s.layer for s in states), default=0) + 1
    rows = max((s.row for s in states), default=0) + 1
    provisional = {s.id: Box(s, 0, s.row * (BOX_H + GAP_Y)) for s in states}
    kinds = {id(a): _kind(a, provisional) for a in graph.arrows}
    lanes = [a for a in graph.arrows if kinds[id(a)] == "lane"]
    sides = {id(a): _lane_side(a, provisional) for a in lanes}
    top = [a for a in lanes if sides[id(a)] == "top"]
    bottom = [a for a in lanes if sides[id(a)] == "bottom"]
    loops_on_top = any(
        kinds[id(a)] == "loop" and graph.states[a.source].row == 0 for a in graph.arrows
    )
    y0 = MARGIN + len(top) * LANE + (LOOP if loops_on_top else 0) + (8 if top else 0)
    boxes = {
        s.id: Box(s, MARGIN + START_W + s.layer * (BOX_W + GAP_X), y0 + s.row * (BOX_H + GAP_Y))
        for s in states
    }
    layout = Layout(boxes)
    layout.width = MARGIN * 2 + START_W + layers * BOX_W + (layers - 1) * GAP_X
    bottom_y = y0 + rows * BOX_H + (rows - 1) * GAP_Y
    layout.height = bottom_y + len(bottom) * LANE + MARGIN + (8 if bottom else 0)
    ports = _ports(graph.arrows, kinds, sides, boxes)
    for arrow in graph.arrows:
        kind = kinds[id(arrow)]
        if kind == "forward":
            layout.routes.append(_forward(arrow, boxes, ports))
        elif kind == "loop":
            layout.routes.append(_loop(arrow, boxes[arrow.source]))
        elif kind in ("down", "up", "side"):
            layout.routes.append(_within(arrow, kind, boxes))
    for side, group, edge in (("top", top, y0), ("bottom", bottom, bottom_y)):
        ordered = sorted(group, key=lambda a: abs(boxes[a.source].x - boxes[a.target].x))
        for lane, arrow in enumerate(ordered):
            offset = (lane + 1) * LANE + 4
            level = edge - offset if side == "top" else edge + offset
            layout.routes.append(_lane(arrow, side, level, boxes, ports, lane))
    return layout


def _kind(arrow: Arrow, boxes: dict[str, Box]) -> str:
    source, target = boxes[arrow.source], boxes[arrow.target]
    if arrow.source == arrow.target:
        return "loop"
    step = target.state.layer - source.state.layer
    if step == 0:
        gap = abs(target.state.row - source.state.row)
        return "side" if gap > 1 else ("down" if target.state.row > source.state.row else "up")
    if step > 0 and not (step > 1 and _between(source, target, boxes)):
        return "forward"
    return "lane"


def _lane_side(arrow: Arrow, boxes: dict[str, Box]) -> str:
    source, target = boxes[arrow.source], boxes[arrow.target]
    up = _crossed(source, "top", boxes) + _crossed(target, "top", boxes)
    down = _crossed(source, "bottom", boxes) + _crossed(target, "bottom", boxes)
    return "top" if up <= down else "bottom"


Ports = dict[tuple[str, str, int], float]  # (state, side, id(arrow)) → offset along the side


def _ports(arrows: list[Arrow], kinds: dict[int, str], sides: dict[int, str],
           boxes: dict[str, Box]) -> Ports:  # fmt: skip
    """Where each arrow leaves and enters its boxes, spread along the side it uses."""
    users: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for arrow in arrows:
        kind, source, target = kinds[id(arrow)], boxes[arrow.source], boxes[arrow.target]
        if kind == "forward":
            users[(arrow.source, "right")].append((target.y, id(arrow)))
            users[(arrow.target, "left")].append((source.y, id(arrow)))
        elif kind == "lane":
            side = sides[id(arrow)]
            users[(arrow.source, side)].append((target.x - 0.5, id(arrow)))
            users[(arrow.target, side)].append((source.x + 0.5, id(arrow)))
    ports: Ports = {}
    for (state, side), group in users.items():
        group.sort()
        length = BOX_H if side in ("left", "right") else BOX_W
        step = min(length / (len(group) + 1), 22 if side in ("top", "bottom") else length)
        start = length / 2 - step * (len(group) - 1) / 2
        for i, (_, key) in enumerate(group):
            ports[(state, side, key)] = start + i * step
    return ports


def _forward(arrow: Arrow, boxes: dict[str, Box], ports: Ports) -> Route:
    source, target = boxes[arrow.source], boxes[arrow.target]
    sx, sy = source.x + source.w, source.y + ports[(arrow.source, "right", id(arrow))]
    tx, ty = target.x - 2, target.y + ports[(arrow.target, "left", id(arrow))]
    bend = min(GAP_X / 2, (tx - sx) / 2)
    d = f"M{_fmt(sx, sy)} C{_fmt(sx + bend, sy)} {_fmt(tx - bend, ty)} {_fmt(tx, ty)}"
    lines = label_lines(arrow)
    if tx - sx > GAP_X + 1:  # a long run: label near its start, in the first gap
        mx, my = sx + GAP_X / 2, sy + (ty - sy) * 0.18
    else:
        mx, my = (sx + tx) / 2, (sy + ty) / 2
    return Route(arrow, "forward", d, lines, mx, my - (len(lines) - 1) * LINE / 2)


def _within(arrow: Arrow, kind: str, boxes: dict[str, Box]) -> Route:
    source, target = boxes[arrow.source], boxes[arrow.target]
    lines = label_lines(arrow)
    if kind == "side":
        sx, sy = source.x + source.w, source.y + source.h / 2
        ty = target.y + target.h / 2
        out = sx + 46
        d = f"M{_fmt(sx, sy)} C{_fmt(out, sy)} {_fmt(out, ty)} {_fmt(sx + 2, ty)}"
        top = (sy + ty) / 2 - (len(lines) - 1) * LINE / 2
        return Route(arrow, kind, d, lines, out + 6, top, "start", GAP_X - 60)
    shift = 14 if kind == "down" else -14
    x = source.x + source.w / 2 + shift
    sy = source.y + source.h if kind == "down" else source.y
    ty = target.y - 2 if kind == "down" else target.y + target.h + 2
    top = (sy + ty) / 2 - (len(lines) - 1) * LINE / 2
    anchor = "start" if kind == "down" else "end"
    d = f"M{_fmt(x, sy)} L{_fmt(x, ty)}"
    return Route(arrow, kind, d, lines, x + shift / 2, top, anchor, BOX_W / 2 + GAP_X / 2 - 20)


def _lane(arrow: Arrow, side: str, level: float, boxes: dict[str, Box], ports: Ports,
          lane: int) -> Route:  # fmt: skip
    """Round the drawing: up (or down) from the source, along the lane, into the target.

    An end whose column has another state in the way leaves (or enters) by the gap beside
    its column instead, so the arrow never runs through a state.
    """
    source, target = boxes[arrow.source], boxes[arrow.target]
    top = side == "top"
    shift = (12 if top else 34) + 6 * (lane % 3)  # top and bottom lanes apart in a gap
    if _crossed(source, side, boxes):
        y = source.y + (12 if top else source.h - 12)
        gap = source.x + source.w + shift
        start = [(source.x + source.w, y), (gap, y), (gap, level)]
    else:
        x = source.x + ports[(arrow.source, side, id(arrow))]
        start = [(x, source.y if top else source.y + source.h), (x, level)]
    if _crossed(target, side, boxes):
        y = target.y + (12 if top else target.h - 12)
        gap = target.x - shift
        end = [(gap, level), (gap, y), (target.x - 2, y)]
    else:
        x = target.x + ports[(arrow.target, side, id(arrow))]
        end = [(x, level), (x, target.y - 2 if top else target.y + target.h + 2)]
    d = _rounded([*start, *end])
    sx, tx = start[-1][0], end[0][0]
    width = max(abs(tx - sx) - 24, BOX_W)
    return Route(
        arrow, "lane", d, label_lines(arrow), (sx + tx) / 2, level, width=width, one_line=True
    )


def _rounded(points: list[tuple[float, float]], radius: float = 8) -> str:
    """An SVG path through `points` in straight runs, each corner rounded."""
    d = [f"M{_fmt(*points[0])}"]
    for before, corner, after in zip(points, points[1:], points[2:], strict=False):
        cut_in = _towards(corner, before, radius)
        cut_out = _towards(corner, after, radius)
        d.append(f"L{_fmt(*cut_in)} Q{_fmt(*corner)} {_fmt(*cut_out)}")
    d.append(f"L{_fmt(*points[-1])}")
    return " ".join(d)


def _towards(
    here: tuple[float, float], there: tuple[float, float], step: float
) -> tuple[float, float]:
    """The point `step` from `here` on the way to `there` (at most half way)."""
    dx, dy = there[0] - here[0], there[1] - here[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1
    step = min(step, length / 2)
    return here[0] + dx / length * step, here[1] + dy / length * step


def _loop(arrow: Arrow, box: Box) -> Route:
    x, y = box.x + box.w - 36, box.y
    d = f"M{_fmt(x, y)} C{_fmt(x, y - 34)} {_fmt(x + 52, y - 34)} {_fmt(x + 30, y - 2)}"
    return Route(arrow, "loop", d, label_lines(arrow), x + 16, y - 34, width=GAP_X, one_line=True)
