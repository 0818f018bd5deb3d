"""seed 002 附件4 内设部门廉政风险登记表."""
from app.exports.grid import Grid
from app.papers.common import Sheet
from app.papers.register_002 import register

TITLE = "内设部门廉政风险登记表"
# The opinion and signature fields a stage of the review fills (app.workflow.fields).
FIELDS = ("分管领导意见", "党组（党委）意见")


def grid(sheet: Sheet) -> Grid:
    c = sheet.content
    return register(TITLE, "内设部门登记表", sheet, [[("单    位", c["unit"]), ("内设部门", c["section"])]],
                    "部门职责", ["分管领导意见", "党组（党委）意见"])
