"""One full export of the risks, by the app or by its yardstick, in a fresh
process: seconds, rows, and the peak memory of the export itself (the
process's peak less its size before the export began).

    python bench/export.py app|bare <out.xlsx> <round> <login|city>

``app`` is ``app.reports.export.write``.  ``bare`` is the yardstick: the same
query, the same cells (numbered, labelled, the same text, empty cells blank),
the same formats, widths, frozen heading and filter, each cell written by the
XlsxWriter call for its column's type (numbers in columns 1 and 14, text
elsewhere), with no function of the app between the row and the sheet.
"""
import json
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from flask import g  # noqa: E402

from app import create_app  # noqa: E402
from app.enums import RiskLevel  # noqa: E402
from app.exports.grid import display_width  # noqa: E402
from app.exports.xlsx import new_workbook  # noqa: E402
from app.extensions import db  # noqa: E402
from app.reports import export  # noqa: E402
from app.reports.summary import Filters  # noqa: E402
from app.security.models import Login  # noqa: E402
from app.workflow.flows import label_of  # noqa: E402


NUMBERS = {0, 13, 15}   # 序号, 年度, 已签字版本 (a number when signed)


def bare(filters, path) -> int:
    book = new_workbook(path, constant_memory=True)
    sheet = book.add_worksheet("廉政风险明细")
    head = book.add_format({"bold": True, "border": 1, "align": "center", "valign": "vcenter",
                            "font_name": "宋体", "text_wrap": True})
    cell = book.add_format({"border": 1, "valign": "top", "font_name": "宋体", "text_wrap": True})
    for col, width in enumerate(export.WIDTHS):
        sheet.set_column(col, col, max(width, display_width(export.HEADINGS[col]) + 2))
    sheet.write_row(0, 0, export.HEADINGS, head)
    sheet.freeze_panes(1, 0)
    n = 0
    for row in db.session.execute(export.query(filters).execution_options(yield_per=export.BATCH)):
        n += 1
        (_, unit, section, person, title, kind, risk_type, content, level, pre, mid, post,
         round_, stage, signed, published) = row
        values = [n, unit, section or "", person, title or "", kind, risk_type, content, level,
                  RiskLevel(level).monitor, pre or "", mid or "", post or "", round_,
                  label_of(kind, stage), signed or "", "是" if published else "否"]
        for col, value in enumerate(values):
            if value == "":
                sheet.write_blank(n, col, None, cell)
            elif col in NUMBERS:
                sheet.write_number(n, col, value, cell)
            else:
                sheet.write_string(n, col, value, cell)
    sheet.autofilter(0, 0, max(n, 1), len(export.HEADINGS) - 1)
    book.close()
    return n


def main():
    which, path, round_, who = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    app = create_app()
    with app.app_context():
        db.session.execute(export.query(Filters(round_)).limit(1)).all()   # connected, mappers configured
        with app.test_request_context():
            if who != "city":
                g.user = db.session.query(Login).filter_by(username=who).one()
            before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            start = time.perf_counter()
            n = export.write(Filters(round_), path) if which == "app" else bare(Filters(round_), path)
            seconds = time.perf_counter() - start
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "rows": n, "peak_mb": peak, "baseline_mb": before,
                      "own_mb": peak - before, "bytes": os.path.getsize(path)}))


if __name__ == "__main__":
    main()
