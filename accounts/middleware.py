"""Session rules of the security policy: an idle session ends, and a session whose user's privileges changed gets a
new key (a stolen or fixed session id does not carry the new rights)."""
import time

from django.contrib.auth import SESSION_KEY, logout

from .models import SecurityPolicy

LAST_SEEN = "bankpm_last_seen"
PRIVILEGES = "bankpm_privileges"
# The last-seen time is written at most once a minute, not on every request.
LAST_SEEN_RESOLUTION = 60


def privilege_stamp(user) -> str:
    """What decides what the user may do, as one string."""
    codes = ",".join(sorted(user.department_codes))
    return f"{user.role}|{int(user.is_superuser)}|{int(user.is_staff)}|{codes}"


class SessionSecurityMiddleware:
    """After AuthenticationMiddleware: idle timeout (SecurityPolicy.session_idle_minutes) and key rotation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and SESSION_KEY in session and request.user.is_authenticated:
            self.check(request, session)
        return self.get_response(request)

    def check(self, request, session):
        now = int(time.time())
        last = session.get(LAST_SEEN)
        # The shortest timeout is a minute: within one of the last request nothing is read or written.
        if last is None or now - last >= LAST_SEEN_RESOLUTION:
            if last is not None and now - last > SecurityPolicy.current().session_idle_minutes * 60:
                logout(request)
                return
            session[LAST_SEEN] = now
        stamp = privilege_stamp(request.user)
        if session.get(PRIVILEGES) != stamp:
            if session.get(PRIVILEGES) is not None:
                session.cycle_key()
            session[PRIVILEGES] = stamp


def session_started(sender, request, user, **kwargs):
    """`user_logged_in`: a new session starts seen now, with its user's privileges (login already rotated the key)."""
    if hasattr(request, "session"):
        request.session[LAST_SEEN] = int(time.time())
        request.session[PRIVILEGES] = privilege_stamp(user)
