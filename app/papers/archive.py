"""廉政档案 (seed 000 四(四)4): the cadre's basics, then each part with its rows.
Titled 领导干部廉政档案 only for a leader; any other cadre's is a 廉政档案."""
from datetime import datetime

from app.archives.document import basics, parts
from app.archives.models import IntegrityArchive
from app.exports.grid import BODY, HEAD, LABEL, Grid
from app.formatting import cn_date

DATA_COLUMNS = 5  # beside the part's title column


def title(archive: IntegrityArchive) -> str:
    return "领导干部廉政档案" if archive.person.is_leader else "廉政档案"


def _spans(count: int) -> dict[int, int]:
    """The last of ``count`` columns widens to fill the data columns."""
    return {count: DATA_COLUMNS - count + 1}


def grid(archive: IntegrityArchive, reader: str, at: datetime) -> Grid:
    g = Grid(title(archive), [12, 12, 14, 14, 12, 30], landscape=False, sheet="廉政档案",
             subtitle=f"档案编号：{archive.id:06d}",
             footer=[f"查阅人：{reader}　　查阅时间：{cn_date(at)}",
                     "本档案仅限纪检监察机关、领导小组办公室和本人查阅，不得复制、外传。"])
    items = basics(archive)
    for i in range(0, len(items), 3):
        row = []
        for label, value in items[i:i + 3]:
            row += [label, value]
        top = g.height
        for col, value in enumerate(row):
            g.add(top, col, value, kind=LABEL if col % 2 == 0 else BODY)
    for part in parts(archive):
        top = g.height
        g.add(top, 0, part.title, rows=max(len(part.rows), 1) + 1, kind=LABEL)
        _row(g, top, part.headings, HEAD)
        for i, values in enumerate(part.rows or [["无"]], start=1):
            _row(g, top + i, values, BODY)
    return g


def _row(g: Grid, row: int, values, kind):
    spans = _spans(len(values))
    col = 1
    for i, value in enumerate(values, start=1):
        span = spans.get(i, 1)
        g.add(row, col, value, cols=span, kind=kind)
        col += span
