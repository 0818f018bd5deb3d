"""Pages: 后期处置, 廉政谈话 (with who is still owed one this year), 廉政档案 (the
document, its print and workbook, its entries) and the log of archive reads."""
from datetime import date

from flask import abort, g, redirect, request, url_for
from flask_appbuilder.security.decorators import has_access
from flask_appbuilder.views import expose
from sqlalchemy import select

from app import clock, paging
from app.archives import access, rules, services, talks
from app.archives.hooks import Placing
from app.archives.models import ArchiveRead, Disposition, IntegrityArchive, IntegrityTalk
from app.enums import ArchiveEntryKind, ArchiveReadChannel, DispositionKind, DispositionOutcome, DispositionSource
from app.exports import download
from app.exports.xlsx import workbook
from app.papers import archive as paper_archive
from app.extensions import db
from app.formatting import cn_date
from app.forms import FieldRule, choice_field
from app.organisation.models import Unit
from app.security import roles
from app.security.scope import criteria, current_scope
from app.security.scoped_views import VIEW_PERMISSIONS, ScopedModelView, interface
from app.web import attempt, parse_date, record_or_404, xlsx_response

LABELS = {
    "unit": "单位", "section": "科室", "person": "工作人员", "target": "处置对象", "kind": "处置方式",
    "source": "问题来源", "reason": "事由", "decided_on": "处置日期", "decided_by": "处置机关",
    "outcome": "处理结果", "outcome_on": "结果日期", "outcome_note": "结果说明",
    "year": "年度", "held_on": "谈话日期", "talker": "谈话人", "cadre": "谈话对象", "content": "谈话记录",
    "response": "本人表态", "opened_on": "建档日期", "keeper": "建档机关", "notes": "备注",
    "at": "查阅时间", "reader": "查阅人", "channel": "查阅方式", "person_name": "档案", "archive_id": "档案编号",
}


def _blank(value):
    return value or ""


class DispositionView(Placing, ScopedModelView):
    route_base = "/disposition"
    datamodel = interface(Disposition)
    class_permission_name = roles.DISPOSITION
    list_title, show_title, add_title, edit_title = "后期处置", "后期处置", "新增后期处置", "修改后期处置"
    list_columns = ["decided_on", "target", "unit", "kind", "source", "outcome"]
    add_columns = edit_columns = ["person", "section", "kind", "source", "reason", "decided_on", "decided_by",
                                  "outcome", "outcome_on", "outcome_note"]
    show_fieldsets = [("处置", {"fields": ["unit", "section", "person", "kind", "source", "reason",
                                           "decided_on", "decided_by"]}),
                      ("结果", {"fields": ["outcome", "outcome_on", "outcome_note"]})]
    search_columns = ["unit", "kind", "source", "outcome", "decided_on"]
    label_columns = LABELS
    description_columns = {"person": "对个人处置时选择；对科室处置时只选科室",
                           "outcome": "整改到位的予以了结；整改不力或群众仍有反映的予以追究；处理中的不填"}
    formatters_columns = {"decided_on": cn_date, "outcome_on": cn_date, "outcome": _blank, "section": _blank}
    add_form_extra_fields = edit_form_extra_fields = {
        "kind": choice_field(DispositionKind, "处置方式"), "source": choice_field(DispositionSource, "问题来源"),
        "outcome": choice_field(DispositionOutcome, "处理结果", required=False)}
    validators_columns = {"section": [FieldRule(rules.person_section_error, "person")],
                          "decided_on": [FieldRule(rules.past_date_error)]}
    base_order = ("decided_on", "desc")


class TalkView(Placing, ScopedModelView):
    route_base = "/talk"
    datamodel = interface(IntegrityTalk)
    class_permission_name = roles.TALK
    method_permission_name = {**VIEW_PERMISSIONS, "owed": "read"}
    list_title, show_title, add_title, edit_title = "廉政谈话", "廉政谈话记录", "记录廉政谈话", "修改廉政谈话"
    list_columns = ["held_on", "cadre", "talker", "unit", "section"]
    add_columns = edit_columns = ["cadre", "talker", "held_on", "content", "response"]
    show_columns = ["year", "held_on", "cadre", "talker", "unit", "section", "content", "response"]
    search_columns = ["year", "held_on", "unit"]
    label_columns = LABELS
    description_columns = {"talker": "被谈话人的分管领导；单位领导班子成员由主管领导谈话"}
    formatters_columns = {"held_on": cn_date, "section": _blank}
    validators_columns = {"talker": [FieldRule(rules.talker_error, "cadre")],
                          "held_on": [FieldRule(rules.past_date_error)]}
    base_order = ("held_on", "desc")

    @expose("/owed")
    @has_access
    def owed(self):
        """Who is still owed this year's talk: per unit, and by name within a unit, a page at a time."""
        year = request.args.get("year", date.today().year, type=int)
        unit_id = request.args.get("unit", type=int)
        scope = current_scope()
        units, total = talks.owed_by_unit(year, scope, 1 if unit_id else paging.number())
        if unit_id is None and units.total == 1:
            unit_id = units.items[0][0].id
        unit = people = None
        if unit_id:
            unit = db.session.scalar(select(Unit).where(Unit.id == unit_id, criteria(Unit, scope)))
            if unit is None:
                abort(404)
            people = talks.owed_in_unit(year, scope, unit_id, paging.number())
        return self.render_template("archives/owed.html", year=year, units=units, unit=unit, people=people,
                                    total=total)


class ArchiveView(Placing, ScopedModelView):
    """廉政档案: readable as ``access.readable`` says; every read is logged."""
    route_base = "/archive"
    datamodel = interface(IntegrityArchive)
    class_permission_name = roles.ARCHIVE
    base_filters = [["id", access.ReadableArchives, None]]
    method_permission_name = {**VIEW_PERMISSIONS, "print_view": "read", "xlsx": "read", "docx": "read",
                              "add_entry": "edit", "remove_entry": "edit"}
    list_title, add_title, edit_title = "廉政档案", "建立廉政档案", "修改廉政档案"
    list_columns = ["person", "unit", "section", "opened_on", "keeper"]
    add_columns = edit_columns = ["person", "opened_on", "keeper", "notes"]
    search_columns = ["unit", "opened_on", "keeper"]
    label_columns = {**LABELS, "person": "姓名"}
    description_columns = {"keeper": "如：县纪委监委", "person": "每名干部一份档案"}
    formatters_columns = {"opened_on": cn_date, "section": _blank}
    base_order = ("id", "asc")

    def _get_list_widget(self, *args, **kwargs):
        widgets = super()._get_list_widget(*args, **kwargs)
        shown = widgets["list"].template_args["pks"]
        access.log_reads(g.user, shown, ArchiveReadChannel.LIST)
        return widgets

    def _read(self, pk, channel):
        archive = record_or_404(self, pk)
        access.log_reads(g.user, [archive], channel)
        reader = g.user.person.name if g.user.person else g.user.username
        return archive, paper_archive.grid(archive, reader, clock.now())

    @expose("/show/<pk>", methods=["GET"])
    @has_access
    def show(self, pk):
        archive, grid = self._read(pk, ArchiveReadChannel.PAGE)
        keeper = self.appbuilder.sm.has_access("can_edit", roles.ARCHIVE)
        return self.render_template("archives/archive.html", archive=archive, grid=grid, keeper=keeper,
                                    kinds=ArchiveEntryKind, today=date.today())

    @expose("/<int:pk>/print")
    @has_access
    def print_view(self, pk):
        _, grid = self._read(pk, ArchiveReadChannel.PRINT)
        return self.render_template("assessment/print.html", grids=[grid], back=url_for("ArchiveView.show", pk=pk))

    @expose("/<int:pk>.xlsx")
    @has_access
    def xlsx(self, pk):
        archive, grid = self._read(pk, ArchiveReadChannel.EXCEL)
        return xlsx_response(workbook([grid]), f"{grid.title}-{archive.person.name}.xlsx")

    @expose("/<int:pk>.docx")
    @has_access
    def docx(self, pk):
        archive, grid = self._read(pk, ArchiveReadChannel.WORD)
        return download.paper([grid], f"{grid.title}-{archive.person.name}", "docx")

    @expose("/<int:pk>/entry", methods=["POST"])
    @has_access
    def add_entry(self, pk):
        archive, form = record_or_404(self, pk), request.form
        occurred_on = parse_date(form.get("occurred_on"))
        attempt(lambda: services.add_entry(archive, g.user, form.get("kind"), occurred_on, form.get("content")),
                "档案记录已添加。")
        return redirect(url_for("ArchiveView.show", pk=pk))

    @expose("/<int:pk>/entry/<int:entry_id>/delete", methods=["POST"])
    @has_access
    def remove_entry(self, pk, entry_id):
        archive = record_or_404(self, pk)
        attempt(lambda: services.remove_entry(archive, entry_id), "档案记录已删除。")
        return redirect(url_for("ArchiveView.show", pk=pk))


class ArchiveReadView(ScopedModelView):
    """档案查阅记录: read by the commission and the administrator, changed by nobody."""
    route_base = "/archive-reads"
    datamodel = interface(ArchiveRead)
    class_permission_name = roles.ARCHIVE_READS
    base_permissions = ["can_read"]
    list_title = show_title = "档案查阅记录"
    list_columns = ["at", "reader", "channel", "person_name", "archive_id"]
    search_columns = ["reader", "channel", "person_name", "archive_id", "at"]
    label_columns = LABELS
    formatters_columns = {"at": cn_date}
    base_order = ("id", "desc")


def register(appbuilder):
    menu = dict(category=roles.ARCHIVE_MENU, category_label="廉政档案", category_icon="fa-archive")
    appbuilder.add_view(ArchiveView, roles.ARCHIVE, label="廉政档案", icon="fa-folder-open", **menu)
    appbuilder.add_view(DispositionView, roles.DISPOSITION, label="后期处置", icon="fa-gavel", **menu)
    appbuilder.add_view(TalkView, roles.TALK, label="廉政谈话", icon="fa-comments", **menu)
    appbuilder.add_link(roles.TALKS_OWED, label="本年度尚未谈话", href="/talk/owed", icon="fa-clock-o", **menu)
    appbuilder.add_view(ArchiveReadView, roles.ARCHIVE_READS, label="档案查阅记录", icon="fa-eye", **menu)
