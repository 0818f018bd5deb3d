"""What the two 汇总表 share: whose county heads the title and which review
states the figures count (stated under each table)."""
from app.extensions import db
from app.organisation.models import County, Unit
from app.security.scope import current_scope
from app.workflow.flows import all_stage_labels


def county_name(filters) -> str:
    """The county of the chosen unit, else of the reader's scope ("" for the whole city)."""
    if filters.unit_id:
        unit = db.session.get(Unit, filters.unit_id)
        return unit.county.name if unit else ""
    county_id = current_scope().county_id
    county = db.session.get(County, county_id) if county_id else None
    return county.name if county else ""


def states_line(filters) -> str:
    """The review states the figures count, in words."""
    if not filters.stage:
        return f"统计范围：{filters.round}年度全部登记表（含草稿及审核中的登记表）。"
    label = all_stage_labels().get(filters.stage, filters.stage)
    return f"统计范围：{filters.round}年度审核状态为「{label}」的登记表。"
