"""The lifecycle diagram, generated from Product's stage state machine (never drawn by hand)."""
from dataclasses import dataclass

from products.choices import STAGE_ORDER, LifecycleStage
from products.models import Product

NODE_W, NODE_H, GAP_X, TOP, SIDE_Y = 104, 40, 40, 16, 104


@dataclass
class Node:
    stage: str
    label: str
    x: int
    y: int
    current: bool

    @property
    def cx(self):
        return self.x + NODE_W // 2


@dataclass
class Edge:
    name: str
    path: str
    label: str  # shown on hover, in the reader's language (the name is the transition method's)


def _layout(stages: list[str]) -> dict[str, tuple[int, int]]:
    """Main-line stages left to right; side exits (e.g. cancelled) below the stages they leave from."""
    main = [s for s in STAGE_ORDER if s in stages]
    positions = {s: (8 + i * (NODE_W + GAP_X), TOP) for i, s in enumerate(main)}
    for i, stage in enumerate(s for s in stages if s not in positions):
        positions[stage] = (8 + (i + 1) * (NODE_W + GAP_X) - (NODE_W + GAP_X) // 2, SIDE_Y)
    return positions


def lifecycle_diagram(current: str) -> dict:
    """Nodes and edges (SVG paths) of every transition of `Product.stage`; the current stage is highlighted."""
    transitions = list(Product._meta.get_field("stage").get_all_transitions(Product))
    edges_raw = [(t.source, t.target, t.name) for t in transitions if t.source not in ("*", "+")]
    stages = list(dict.fromkeys([s for s, t, _ in edges_raw] + [t for s, t, _ in edges_raw]))
    pos = _layout(stages)
    labels = dict(LifecycleStage.choices)
    nodes = [Node(s, str(labels.get(s, s)), *pos[s], current=(s == current)) for s in stages]
    edges = []
    for source, target, name in edges_raw:
        (sx, sy), (tx, ty) = pos[source], pos[target]
        if sy == ty:  # along the main line
            path = f"M{sx + NODE_W},{sy + NODE_H // 2} L{tx - 4},{ty + NODE_H // 2}"
        else:  # down to a side exit
            path = f"M{sx + NODE_W // 2},{sy + NODE_H} L{tx + NODE_W // 2},{ty - 4}"
        edges.append(Edge(name, path, f"{labels.get(source, source)} → {labels.get(target, target)}"))
    width = max(x for x, _ in pos.values()) + NODE_W + 8
    height = max(y for _, y in pos.values()) + NODE_H + 8
    return {"nodes": nodes, "edges": edges, "width": width, "height": height, "node_w": NODE_W, "node_h": NODE_H}
