"""A form as its paper forms: the grids of a form or of one signed revision."""
from sqlalchemy import select

from app.enums import Owner
from app.exports.grid import Grid
from app.extensions import db
from app.formatting import cn_date
from app.risks.layouts import LAYOUTS, Sheet
from app.risks.models import FormRevision, ReviewStep, RiskForm
from app.workflow.flows import FLOWS, Action


def history(form: RiskForm) -> list[ReviewStep]:
    return list(db.session.scalars(
        select(ReviewStep).where(ReviewStep.form_id == form.id).order_by(ReviewStep.at, ReviewStep.id)))


def revisions(form: RiskForm) -> list[FormRevision]:
    return list(db.session.scalars(
        select(FormRevision).where(FormRevision.form_id == form.id).order_by(FormRevision.number)))


def opinions(form: RiskForm, steps: list[ReviewStep]) -> dict[str, str]:
    """The paper form's opinion fields, from the latest approval at their stage."""
    fields = {s.key: s.opinion for s in FLOWS[form.kind] if s.opinion}
    found = {}
    for step in steps:
        if step.action == Action.APPROVE.value and step.stage in fields:
            found[fields[step.stage]] = f"{step.opinion}（{step.actor_name}，{cn_date(step.at)}）"
    return found


def header(form: RiskForm) -> dict:
    owner = form.owner
    duties = {Owner.PERSON: form.person.post.duties if form.person and form.person.post else "",
              Owner.SECTION: form.section.duties if form.section else "",
              Owner.UNIT: form.unit.duties}[form.kind]
    return {"title": owner.title or "", "since": cn_date(owner.appointed_on), "duties": duties or ""}


def grids(form: RiskForm, revision: FormRevision | None = None) -> list[Grid]:
    from app.workflow.engine import snapshot

    steps = history(form)
    signed = revision or next((r for r in reversed(revisions(form)) if r.number == form.signed_revision), None)
    signatures = {}
    if signed is not None:
        line = f"{signed.signer_name}（电子签名 {cn_date(signed.signed_at)}）"
        signatures = {"填表人签字": line, "负责填表人签字": line, "第一责任人签字": line}
    ops = opinions(form, steps)
    sheet = Sheet(content=revision.content if revision else snapshot(form), opinions=ops,
                  signatures=signatures, header=header(form),
                  date=cn_date(signed.signed_at.date()) if signed else "　　年　　月　　日")
    return [layout(sheet) for layout in LAYOUTS[form.owner_kind]]


def last_return(steps: list[ReviewStep]) -> ReviewStep | None:
    """The send-back the owner is answering, if the form is with him because of one."""
    for step in reversed(steps):
        if step.action == Action.RETURN.value:
            return step
        if step.action == Action.SUBMIT.value:
            return None
    return None
