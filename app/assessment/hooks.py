"""What saving through a page or the API adds to the model rules, shared by
the views and the APIs of this package (mixins placed before the base class)."""
from flask import g

from app.assessment import services
from app.errors import Refused


class Drafting:
    """A self-check changes only until it is filed."""

    def pre_update(self, item):
        services.ensure_draft(item)
        super().pre_update(item)

    def pre_delete(self, item):
        services.ensure_draft(item)


class Organised:
    """An inspection belongs to the unit of the body that organises it: the recorder's."""

    def pre_add(self, item):
        if item.organiser is None:
            if g.user.person is None:
                raise Refused("您的账号没有对应的工作人员，无法确定组织检查的单位。")
            item.organiser = g.user.person.unit
        super().pre_add(item)


class Grading:
    """Saving an assessment settles what its grade brings (``services.grade``)."""

    def pre_add(self, item):
        super().pre_add(item)
        services.grade(item, g.user)

    def pre_update(self, item):
        super().pre_update(item)
        services.grade(item, g.user)

    def pre_delete(self, item):
        if item.notice is not None or item.commendation is not None:
            raise Refused("已下达整改通知或给予表彰的考核不能删除。")


class OpenNotice:
    """A closed notice is a record of what happened; it no longer changes."""

    def pre_update(self, item):
        if item.closed_on is not None:
            raise Refused("已了结的整改通知不能修改。")
        super().pre_update(item)
