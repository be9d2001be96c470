from .navigation import nav_for, nav_items_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav": {"daily": [], "groups": []}, "unread_notifications": 0}
    from .selectors import notification_unread_count

    return {
        "nav_items": nav_items_for(user),
        "nav": nav_for(user),
        "unread_notifications": notification_unread_count(user=user),
    }
