"""Server-rendered bar charts: geometry computed here, drawn as SVG by acs/includes/chart.html.

No inline styles (strict CSP): sizes and colours are SVG attributes. Every bar carries its
number as text, and each chart sits next to a table of the same figures.
"""

from typing import Any

WIDTH = 640
BAR_AREA = 440
LABEL_HEIGHT = 20
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 14
# GOV.UK colours: blue, green, purple.
SERIES_FILLS = ("#1d70b8", "#00703c", "#4c2c92")


def bar_chart(rows: list[tuple[str, list[tuple[str, int]]]], *, title: str) -> dict[str, Any]:
    """rows: (group label, [(series name, value), ...]) -> SVG geometry for the template."""
    top = max((value for _, series in rows for _, value in series), default=0)
    groups, y = [], 0
    for label, series in rows:
        group: dict[str, Any] = {"label": label, "label_y": y + 14, "bars": []}
        y += LABEL_HEIGHT
        for index, (name, value) in enumerate(series):
            width = round(BAR_AREA * value / top) if top else 0
            group["bars"].append(
                {
                    "name": name,
                    "value": value,
                    "y": y,
                    "width": width,
                    "text_x": width + 6,
                    "text_y": y + 14,
                    "fill": SERIES_FILLS[index % len(SERIES_FILLS)],
                }
            )
            y += BAR_HEIGHT + BAR_GAP
        groups.append(group)
        y += GROUP_GAP
    return {"title": title, "groups": groups, "width": WIDTH, "height": max(y, 1), "empty": not top}
