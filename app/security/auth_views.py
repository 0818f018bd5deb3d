"""The login page's view, with logout by POST only.

A GET on /logout/ (a link, an <img> on another site) no longer ends the
session: it shows a page whose button posts the CSRF-protected form. Logging
out lands on the login page (which links the public pages), where the next
person signs in, rather than on an empty home page.
"""
from flask import redirect, request
from flask_appbuilder.security.views import AuthDBView as FabAuthDBView
from flask_appbuilder.views import expose


class AuthDBView(FabAuthDBView):
    login_template = "security/login_db.html"   # FAB's, with a link to the public pages

    @expose("/logout/", methods=["GET", "POST"])
    def logout(self):
        if request.method == "GET":
            return self.render_template("security/logout.html")
        super().logout()
        return redirect(self.appbuilder.get_url_for_login)
