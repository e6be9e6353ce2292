"""Bar charts drawn on the server as SVG (template ``core/chart.html``): no script to load, the
figures readable without JavaScript, printed as they are shown."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass
class Bar:
    label: str
    value: Decimal
    x: float
    y: float
    height: float
    width: float = 52
    key: str = ""  # what the bar stands for in its link (a month: 2026-12); "" for no link

    @property
    def center(self) -> float:
        return self.x + self.width / 2


def bars(
    points: list[tuple[str, Decimal]], width: int = 720, height: int = 180, keys=None
) -> list[Bar]:
    """One bar per (label, value), side by side, scaled to the largest value (negative values
    show no bar; their figure is in the bar's title); ``keys`` make each bar a link."""
    if not points:
        return []
    top = max([value for _label, value in points] + [Decimal(1)])
    step = width / len(points)
    result = []
    for index, (label, value) in enumerate(points):
        bar_height = float(max(value, Decimal(0)) / top) * (height - 20)
        result.append(
            Bar(
                label=label,
                value=value,
                x=index * step + 4,
                y=height - 20 - bar_height,
                height=bar_height,
                width=max(step - 8, 1),
                key=keys[index] if keys else "",
            )
        )
    return result
