"""What saving through a page or the API adds to the model rules, shared by
the views and the APIs of this package (mixins placed before the base class)."""


from app.security.scoped_views import check_related  # noqa: E402


class Placing:
    """Records that hang on a person take his unit and section (``place``)
    before the scope check, so nobody files one outside his scope."""

    def pre_add(self, item):
        check_related(item, self, adding=True)   # what was sent, before place() replaces it
        item.place()
        super().pre_add(item)

    def pre_update(self, item):
        check_related(item, self, adding=False)
        item.place()
        super().pre_update(item)
