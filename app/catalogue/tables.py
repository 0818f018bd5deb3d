"""The catalogue's official tables, by the names the views, the CLI and the
import use; each form is declared in :mod:`app.papers` (000 附件1, 附件2 and
seed 002 附件2, filled in by whoever last entered the unit's powers)."""
from app.catalogue.listing import counts_of, drafts_of, filled_by, powers_of  # noqa: F401
from app.enums import PowerCategory
from app.exports.grid import Grid
from app.papers import s000_a1_catalogue_summary, s000_a2_catalogue_category, s002_a2_directory
from app.papers.s002_a2_directory import HEADINGS as DIRECTORY_HEADINGS  # noqa: F401
from app.papers.s002_a2_directory import NOTES as DIRECTORY_NOTES  # noqa: F401
from app.papers.s002_a2_directory import total_line  # noqa: F401


def summary_table(unit) -> Grid:
    return s000_a1_catalogue_summary.grid(unit)


def category_table(unit, category: str) -> Grid:
    return s000_a2_catalogue_category.grid(unit, category)


def directory(unit, blank: bool = False) -> Grid:
    return s002_a2_directory.grid(unit, None if blank else filled_by(unit), blank=blank)


def template(unit, layout: str = "002") -> list[Grid]:
    """The import template in either seed's layout, with drop-downs (the unit's sections for 承办处室)."""
    from sqlalchemy import select

    from app.extensions import db
    from app.organisation.models import Section
    sections = list(db.session.scalars(select(Section.name).where(Section.unit_id == unit.id).order_by(Section.id)))
    if layout == "000":
        return [s000_a2_catalogue_category.template(unit, c.value, sections) for c in PowerCategory]
    return [s002_a2_directory.template(unit, sections)]


def all_tables(unit) -> list[Grid]:
    return ([s000_a1_catalogue_summary.grid(unit)]
            + [s000_a2_catalogue_category.grid(unit, c.value) for c in PowerCategory.external()]
            + [s002_a2_directory.grid(unit, filled_by(unit))])
