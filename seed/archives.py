"""后期处置, 廉政谈话 and 廉政档案 for the demo county: dispositions of a person
and of a section, this year's talks with some cadres still owed one, and an
archive for each demo cadre (``czj_ys_staff1``'s the fullest).

Dates are counted back from ``today``; entries go through
:mod:`app.archives.services` as ``jiwei``, who keeps the archives.
"""
from datetime import date, timedelta

from app.archives import services
from app.archives.models import Disposition, IntegrityArchive, IntegrityTalk
from app.enums import ArchiveEntryKind as K
from app.enums import DispositionKind, DispositionOutcome, DispositionSource
from app.extensions import db
from app.organisation.models import Section
from app.security.models import Login

ARCHIVED = ("czj_leader", "czj_fg", "czj_admin", "czj_ys_head", "czj_ys_staff1", "czj_ys_staff2", "czj_gk_head",
            "czj_gk_staff1", "czj_gk_staff2", "jyj_admin", "jyj_staff1")
KEEPER = "示范县纪委监委"


def _person(username):
    return db.session.query(Login).filter_by(username=username).one().person


def _this_year(today: date, share: float) -> date:
    """A day of this year before ``today``: ``share`` of the way from 1 January."""
    start = date(today.year, 1, 1)
    return start + timedelta(days=int((today - start).days * share))


def _dispositions(today):
    gk = db.session.query(Section).filter_by(unit=_person("czj_gk_head").unit, name="国库股").one()
    rows = [
        Disposition(person=_person("czj_ys_staff1"), kind=DispositionKind.WARNING.value,
                    source=DispositionSource.APPRAISAL.value, decided_on=today - timedelta(days=200),
                    reason="年度民主测评中服务对象满意率偏低，反映办理预算调整申请时解释不耐心、推诿扯皮。",
                    decided_by="示范县财政局党组", outcome=DispositionOutcome.SETTLED.value,
                    outcome_on=today - timedelta(days=150), outcome_note="本人作出书面说明，改进工作作风，后续测评满意。"),
        Disposition(section=gk, kind=DispositionKind.RECTIFICATION.value,
                    source=DispositionSource.INSPECTION.value, decided_on=today - timedelta(days=100),
                    reason="专项检查发现大额国库集中支付未严格执行双人复核。", decided_by=KEEPER),
        Disposition(person=_person("jyj_staff1"), kind=DispositionKind.ADMONISHMENT.value,
                    source=DispositionSource.REPORT.value, decided_on=today - timedelta(days=60),
                    reason="群众举报招生入学审核中对材料不全的申请违规放行，经核实属工作失误。", decided_by="示范县教育局党组"),
    ]
    for d in rows:
        d.place()
    db.session.add_all(rows)
    db.session.commit()


def _talks(today):
    fg, leader = _person("czj_fg"), _person("czj_leader")
    held = [(fg, "czj_ys_head", 0.3), (fg, "czj_ys_staff1", 0.4), (leader, "czj_fg", 0.2)]
    for talker, username, share in held:  # 预算股's staff2 and all of 国库股 are still owed theirs
        talk = IntegrityTalk(talker=talker, cadre=_person(username), held_on=_this_year(today, share),
                             content="通报本单位廉政风险点及防控措施落实情况，提醒其严守预算管理纪律，"
                                     "不得利用职务便利为他人谋取利益。",
                             response="认真对照岗位风险点查摆不足，自觉接受组织和群众监督。")
        talk.place()
        db.session.add(talk)
    last_year = IntegrityTalk(talker=fg, cadre=_person("czj_ys_staff2"), held_on=date(today.year - 1, 11, 20),
                              content="结合年度考核，提醒其注意预算执行环节资金拨付风险。")
    last_year.place()
    db.session.add(last_year)
    db.session.commit()


def _entries(person, today) -> list[tuple[K, date, str]]:
    """What the keeper has on file: an appointment line for everyone."""
    post = person.post.name if person.post else person.title
    where = f"{person.unit.name}{person.section.name if person.section else ''}"
    return [(K.APPOINTMENT, min(person.appointed_on or today, today), f"任{where}{post}")]


FULL = [  # czj_ys_staff1: every kind of fact an archive keeps (days before today)
    (K.DECLARATION, 420, "申报个人有关事项：已婚；本人名下县城住宅一套（98平方米）；本人、配偶及子女无投资经商办企业情况。"),
    (K.DECLARATION_CHANGE, 180, "变更：配偶名下新购商品房一套（112平方米，贷款购买），已按规定在30日内报告。"),
    (K.INCOME, 330, "上年度本人工资性收入10.8万元；配偶（县第一中学教师）工资性收入9.6万元；无其他劳务收入。"),
    (K.FAMILY_EMPLOYMENT, 330, "配偶：示范县第一中学教师；子女：在读小学，未从业。"),
    (K.ORGANISATIONAL, 200, "因民主测评满意率偏低，由局党组进行警示提醒谈话（已了结）。"),
]


def _archives(today):
    keeper = db.session.query(Login).filter_by(username="jiwei").one()
    for username in ARCHIVED:
        person = _person(username)
        archive = IntegrityArchive(person=person, opened_on=today - timedelta(days=400), keeper=KEEPER)
        archive.place()
        db.session.add(archive)
        db.session.commit()
        facts = _entries(person, today)
        if username == "czj_ys_staff1":
            hired = facts[0][1] - timedelta(days=3 * 365)
            facts += [(K.APPOINTMENT, hired, f"录用为{person.unit.name}科员（试用期一年）")]
            facts += [(kind, today - timedelta(days=days_ago), text) for kind, days_ago, text in FULL]
        for kind, on, text in facts:
            services.add_entry(archive, keeper, kind.value, on, text)


def load(today: date) -> None:
    _dispositions(today)
    _talks(today)
    _archives(today)
