"""FAB security manager: our user model and the user pages with a person."""
from flask import current_app, g, has_request_context
from flask_appbuilder.models.sqla.interface import SQLAInterface
from flask_appbuilder.security.api import SecurityApi
from flask_appbuilder.security.sqla.manager import SecurityManager as FabSecurityManager
from flask_appbuilder.security.views import UserDBModelView as FabUserDBModelView
from sqlalchemy.orm import selectinload
from wtforms.validators import DataRequired

from app.organisation.models import Person
from app.security import api_errors, login_limit
from app.security.auth_views import AuthDBView
from app.security.choices import SearchedRelations
from app.security.models import Login


class UserDBModelView(SearchedRelations, FabUserDBModelView):
    """登录账号: every login belongs to a person (searched by name, never listed in full)."""

    method_permission_name = {"choices": "list"}
    list_columns = ["username", "person", "person.unit", "roles", "active", "last_login"]
    show_columns = ["username", "person", "email", "roles", "active", "last_login",
                    "login_count", "fail_login_count", "created_on"]
    add_columns = ["person", "username", "email", "roles", "active", "password", "conf_password"]
    edit_columns = ["person", "username", "email", "roles", "active"]
    search_columns = ["username", "person", "roles", "active"]
    label_columns = {
        "username": "登录名", "person": "工作人员", "person.unit": "单位", "email": "电子邮箱",
        "roles": "角色", "active": "启用", "last_login": "最近登录", "login_count": "登录次数",
        "fail_login_count": "失败次数", "created_on": "创建时间",
        "password": "密码", "conf_password": "确认密码",
    }
    show_fieldsets = [("账号信息", {"fields": show_columns})]
    description_columns = {
        "active": "停用的账号不能登录；请停用而不要删除账号。",
        "roles": "账号的角色决定他能看到和办理什么。",
        "password": "至少 8 位，含大小写字母、数字和符号。",
    }
    # 个人信息 (/users/userinfo/): the person's name, not FAB's first/last name.
    user_show_fieldsets = [
        ("账号信息", {"fields": ["username", "email", "roles", "active", "last_login", "login_count"]}),
    ]
    validators_columns = {"person": [DataRequired(message="请选择该账号所属的工作人员。")]}

    @staticmethod
    def _name_from_person(item):
        # FAB's user form asks for first/last name; ours takes them from the person.
        item.first_name = item.person.name if item.person else item.username
        item.last_name = ""

    def pre_add(self, item):
        self._name_from_person(item)
        super().pre_add(item)

    def pre_update(self, item):
        self._name_from_person(item)
        super().pre_update(item)


class LoginInterface(SQLAInterface):
    """The login list's roles and each person's unit come with the page, not one query per row."""

    def apply_all(self, query, *args, **kwargs):
        query = super().apply_all(query, *args, **kwargs)
        if self.obj is not Login:   # the interfaces of its relations (roles) are of this class too
            return query
        return query.options(selectinload(Login.roles), selectinload(Login.person).selectinload(Person.unit))


class SecurityManager(FabSecurityManager):
    user_model = Login
    userdbmodelview = UserDBModelView
    authdbview = AuthDBView
    # FAB's 用户统计 chart loads Google Charts from the internet: not offered.
    userstatschartview = None

    # Logins are limited by app.security.login_limit on the page and the API
    # together; FAB's own limit would cover the page alone.
    @property
    def is_auth_limited(self) -> bool:
        return False

    def register_views(self):
        super().register_views()
        if current_app.config.get("AUTH_RATE_LIMITED"):
            api = next(v for v in self.appbuilder.baseviews if isinstance(v, SecurityApi))
            login_limit.apply(self.limiter, current_app.config, self.auth_view.blueprint, api.blueprint)

    def create_jwt_manager(self, app):
        manager = super().create_jwt_manager(app)
        api_errors.speak_chinese(manager)
        return manager

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        login_limit.mark_attempt(user)
        return user

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        self.userdbmodelview.datamodel = LoginInterface(self.user_model)

    def reset_password(self, userid, password):
        """Every password change goes through here (the login's own page, the
        administrator's reset, ``flask fab reset-password``); only one the login
        chose himself can sign a form.  The change itself is in the audit trail."""
        user = self.get_user_by_id(userid)
        me = getattr(g, "user", None) if has_request_context() else None
        user.own_password = me is not None and getattr(me, "id", None) == user.id
        super().reset_password(userid, password)
