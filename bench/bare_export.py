"""The yardstick for the full export: the same rows, fetched with the same
query, written by a bare xlsxwriter loop (no formats, no labels)."""
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import xlsxwriter

from app import create_app
from app.extensions import db
from app.reports import export
from app.reports.summary import Filters

app = create_app()
with app.app_context():
    start = time.perf_counter()
    book = xlsxwriter.Workbook(sys.argv[1], {"constant_memory": True})
    sheet = book.add_worksheet()
    n = 0
    for n, row in enumerate(db.session.execute(export.query(Filters(int(sys.argv[2])))
                                               .execution_options(yield_per=export.BATCH)), start=1):
        sheet.write_row(n, 0, list(row))
    book.close()
    print(f"{time.perf_counter() - start:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {n}")
