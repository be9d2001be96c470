"""List views of every app: rows through the app's access selector."""


class SelectorRowsMixin:
    """A list view whose rows come from an access selector, never from `queryset`, which only names
    the model for the schema. `rows(request, kwargs)` returns the selector's queryset; while the
    schema is generated (no user) the rows are none."""

    def rows(self, request, kwargs):  # pragma: no cover - every view defines it
        raise NotImplementedError

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation
            return self.queryset.model.objects.none()
        return self.rows(self.request, self.kwargs)
