"""A form as its paper forms: the grids of a form or of one signed revision."""
from sqlalchemy import select

from app.enums import Owner
from app.exports.grid import Grid
from app.extensions import db
from app.formatting import cn_date
from app.papers.common import BLANK_DATE, Sheet
from app.papers.registers import layouts
from app.risks.models import FormRevision, ReviewStep, RiskForm
from app.workflow.configure import flow_of
from app.workflow.fields import FIELDS
from app.workflow.flows import Action, Kind
from app.workflow.signature import SignedView, signed_view, snapshot


def history(form: RiskForm) -> list[ReviewStep]:
    return list(db.session.scalars(
        select(ReviewStep).where(ReviewStep.form_id == form.id).order_by(ReviewStep.at, ReviewStep.id)))


def revisions(form: RiskForm) -> list[FormRevision]:
    return list(db.session.scalars(
        select(FormRevision).where(FormRevision.form_id == form.id).order_by(FormRevision.number)))


PASSED_OVER = "（本人为科室负责人，不经本环节）"


def opinions(form: RiskForm, steps: list[ReviewStep]) -> dict[str, str]:
    """The paper form's opinion and reviewers' signature fields, each from the latest
    approval at the stage of the form's flow that fills it, since the form was last
    sent back (a send-back starts the review again)."""
    from app.workflow.engine import passed_over

    flow = flow_of(form)
    fills = {s.key: s.fills for s in flow.stages if s.kind is not Kind.SIGN}
    # a stage the form goes past (a 股长's own form: his 科室 gives no opinion on him)
    note = PASSED_OVER if form.section is not None else "（不属科室，不经本环节）"
    found = {name: note for s in flow.stages if s.fills and passed_over(form, s) for name in s.fills}
    returns = [i for i, step in enumerate(steps) if step.action == Action.RETURN.value]
    for step in steps[returns[-1] + 1 if returns else 0:]:
        if step.action == Action.APPROVE.value:
            for name in fills.get(step.stage, ()):
                signature = FIELDS[name].signature if name in FIELDS else False
                found[name] = (f"{step.actor_name}（{cn_date(step.at)}）" if signature
                               else f"{step.opinion}（{step.actor_name}，{cn_date(step.at)}）")
    return found


def header(form: RiskForm) -> dict:
    owner = form.owner
    duties = {Owner.PERSON: form.person.post.duties if form.person and form.person.post else "",
              Owner.SECTION: form.section.duties if form.section else "",
              Owner.UNIT: form.unit.duties}[form.kind]
    return {"title": owner.title or "", "since": cn_date(owner.appointed_on), "duties": duties or ""}


def paper(form: RiskForm, number: int | None = None) -> tuple[list[Grid], SignedView | None]:
    """The form's paper grids and, for a signed revision, its verified signature.

    A signed form (or revision ``number``) prints the content stored in its
    revision, never the live rows; a draft prints its rows with no signature.
    """
    signed = signed_view(form, number)
    flow = flow_of(form)
    filled = opinions(form, history(form))
    signatures = {name: text for name, text in filled.items() if name in FIELDS and FIELDS[name].signature}
    if signed is not None:   # the owner's own lines: only from what he signed
        line = f"{signed.revision.signer_name}（电子签名 {cn_date(signed.revision.signed_at)}）"
        signatures.update({name: line for s in flow.stages if s.kind is Kind.SIGN for name in s.fills})
    sheet = Sheet(content=signed.content if signed else snapshot(form), opinions=filled,
                  signatures=signatures, header=header(form),
                  date=cn_date(signed.revision.signed_at.date()) if signed else BLANK_DATE,
                  county=form.unit.county.name)
    grids = [layout(sheet) for layout in layouts(form.owner_kind, flow.papers)]
    if signed is not None:  # a note under the form, not a line of the paper
        grids[-1].remarks.append(attestation(signed))
    return grids, signed


def attestation(signed: SignedView) -> str:
    """The verdict of 验签 in words, as printed under the form."""
    r = signed.revision
    if signed.ok:
        return f"{signed.verdict}：第 {r.number} 版由 {r.signer_name} 于 {cn_date(r.signed_at)} 签字，内容摘要 {r.content_hash[:16]}…"
    return f"{signed.verdict}（{'；'.join(signed.problems)}）"


def last_return(steps: list[ReviewStep]) -> ReviewStep | None:
    """The send-back the owner is answering, if the form is with him because of one."""
    for step in reversed(steps):
        if step.action == Action.RETURN.value:
            return step
        if step.action == Action.SUBMIT.value:
            return None
    return None


def peer_notes(steps: list[ReviewStep], drafting: bool) -> list[ReviewStep]:
    """The 帮查 comments of this round of drafting: while the owner drafts, those
    since he last handed the form in; afterwards, those he answered with it."""
    submits = [i for i, s in enumerate(steps) if s.action == Action.SUBMIT.value]
    if drafting:
        start, end = (submits[-1] + 1 if submits else 0), len(steps)
    else:
        start, end = (submits[-2] + 1 if len(submits) > 1 else 0), (submits[-1] if submits else len(steps))
    return [s for s in steps[start:end] if s.action == Action.PEER.value]


def notes(form: RiskForm, steps: list[ReviewStep], drafting: bool) -> dict:
    """What the top of a form's pages shows (``workflow/_notes.html``): the return the
    owner is answering — a reviewer's, or his own at 确认签字 (``declined``) — and
    this round's 帮查 comments."""
    flow = {s.key: s for s in flow_of(form).all}
    returned = last_return(steps) if drafting else None
    return {"returned": returned, "peers": peer_notes(steps, drafting),
            "declined": returned is not None and returned.stage in flow
            and flow[returned.stage].kind is Kind.SIGN,
            "stage_labels": {key: s.label for key, s in flow.items()}}
