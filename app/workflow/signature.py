"""What a signature covers, and 验签: checking a signed revision every time it is shown.

A signature is a :class:`FormRevision`: the form's content as the owner
confirmed it (:func:`snapshot`), its SHA-256, and a keyed seal over signer,
time and content (:func:`seal_revision`, key from :mod:`app.audit.chain`), so
a content edited in the database — with or without its bare hash recomputed —
no longer matches.  Every display of a signed form renders the revision's
stored content through :func:`signed_view`, which verifies it and, while the
form still stands at that revision, compares it with the form's rows.
"""
import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_

from app.audit import chain
from app.extensions import db
from app.risks.models import FormRevision, RiskForm

PASSED = "验签通过"
FAILED = "验签失败：签字后内容被改动"


def snapshot(form: RiskForm) -> dict:
    """The form's content as registered: what a signature covers."""
    return {
        "form": form.id, "kind": form.owner_kind, "round": form.round, "revision": form.revision,
        "unit": form.unit.name, "section": form.section.name if form.section else None,
        "person": form.person.name if form.person else None, "owner": form.owner.name,
        "post": form.person.post.name if form.person and form.person.post else None,
        "title": form.owner.title, "pledge": form.pledge, "correction": form.correction,
        "risks": [{
            "type": r.risk_type, "content": r.content, "level": r.level,
            "power": r.power.name if r.power else None, "step": r.step.name if r.step else None,
            "measures": [{"stage": m.stage, "content": m.content, "responsible": m.responsible}
                         for m in r.measures],
            "methods": [m.content for m in r.methods],
        } for r in form.risks],
    }


def content_hash(content: dict) -> str:
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def seal_revision(revision) -> str:
    """The keyed seal over who signed which revision of which form, when, and what."""
    get = revision.get if isinstance(revision, dict) else lambda k: getattr(revision, k)
    return chain.seal({k: get(k) for k in ("form_id", "number", "signed_by_id", "signer_name",
                                           "signed_at", "content_hash")}
                      | {"content": content_hash(get("content"))})


def _own_content(content: dict) -> dict:
    """What the owner wrote, without the names of units, posts and powers that
    may be renamed later without touching his form."""
    return {"pledge": content.get("pledge"), "correction": content.get("correction"),
            "risks": [{k: r[k] for k in ("type", "content", "level", "measures", "methods")}
                      for r in content.get("risks", [])]}


def differences(signed: dict, now: dict) -> list[str]:
    """What differs between two contents, in words."""
    a, b = _own_content(signed), _own_content(now)
    found = [f"{label}已改动" for key, label in (("pledge", "个人廉政承诺"), ("correction", "改正意见"))
             if a[key] != b[key]]
    if len(a["risks"]) != len(b["risks"]):
        found.append(f"风险点由 {len(a['risks'])} 条变为 {len(b['risks'])} 条")
    for number, (x, y) in enumerate(zip(a["risks"], b["risks"]), start=1):
        for key, label in (("content", "内容"), ("type", "类别"), ("level", "等级"),
                           ("measures", "防控措施"), ("methods", "监督办法")):
            if x[key] != y[key]:
                found.append(f"第 {number} 条风险点的{label}已改动")
    return found


@dataclass
class SignedView:
    """A signed revision as it is shown: its stored content and the verdict."""
    revision: FormRevision
    problems: list[str] = field(default_factory=list)

    @property
    def content(self) -> dict:
        return self.revision.content

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def verdict(self) -> str:
        return PASSED if self.ok else FAILED


def verify(revision: FormRevision, form: RiskForm | None = None) -> list[str]:
    """The problems with one signed revision (none: it is what its owner signed).
    With ``form`` standing at this revision, its rows are compared too."""
    problems = []
    if revision.content_hash != content_hash(revision.content):
        problems.append("签字内容与其摘要不符")
    if revision.signature != seal_revision(revision):
        problems.append("签名印鉴不符（签字人、时间或内容被改动）")
    if form is not None and form.is_signed and form.signed_revision == revision.number:
        problems += differences(revision.content, snapshot(form))
    return problems


def signed_view(form: RiskForm, number: int | None = None) -> SignedView | None:
    """The form's signed revision ``number`` (default: the one it stands at, if
    signed), verified; None when there is none to show."""
    number = number or (form.signed_revision if form.is_signed else None)
    if number is None:
        return None
    revision = db.session.scalar(select(FormRevision).where(
        FormRevision.form_id == form.id, FormRevision.number == number))
    return None if revision is None else SignedView(revision, verify(revision, form))


def signed_views(forms: list[RiskForm]) -> dict[int, SignedView]:
    """:func:`signed_view` for many forms in one query (public pages)."""
    keys = [(f.id, f.signed_revision) for f in forms if f.is_signed]
    if not keys:
        return {}
    by_form = {f.id: f for f in forms}
    revisions = db.session.scalars(select(FormRevision).where(
        tuple_(FormRevision.form_id, FormRevision.number).in_(keys)))
    return {r.form_id: SignedView(r, verify(r, by_form[r.form_id])) for r in revisions}
