"""seed 002 附件3 单位廉政风险登记表."""
from app.exports.grid import Grid
from app.papers.common import Sheet
from app.papers.register_002 import register

TITLE = "单位廉政风险登记表"
# The opinion and signature fields a stage of the review fills (app.workflow.fields).
FIELDS = ("党组（党委）意见",)


def grid(sheet: Sheet) -> Grid:
    return register(TITLE, "单位登记表", sheet, [[("单    位", sheet.content["unit"])]], "主要职责",
                    ["党组（党委）意见"])
