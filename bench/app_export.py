"""The full export as the app does it, timed, with its peak memory."""
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from app import create_app
from app.reports import export
from app.reports.summary import Filters

app = create_app()
with app.app_context():
    start = time.perf_counter()
    n = export.write(Filters(int(sys.argv[2])), sys.argv[1])
    print(f"{time.perf_counter() - start:.2f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} {n}")
