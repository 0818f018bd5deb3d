"""seed 002 附件5 个人岗位廉政风险登记表."""
from app.exports.grid import Grid
from app.papers.common import Sheet
from app.papers.register_002 import register

TITLE = "个人岗位廉政风险登记表"
# The opinion and signature fields a stage of the review fills (app.workflow.fields).
FIELDS = ("科室意见", "分管领导意见", "党组（党委）意见")


def grid(sheet: Sheet) -> Grid:
    c = sheet.content
    return register(TITLE, "个人岗位登记表", sheet, [[("单 位", c["unit"]), ("岗 位", c["post"] or "")]],
                    "主要职责", ["个人廉政承诺", "科室意见", "分管领导意见", "党组（党委）意见"])
