from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language with the switcher (the browser's language is not used)."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        request.saved_language = None
        if chosen not in supported:
            # A signed-in browser without the cookie (a single sign-on, a cleared cookie): the language saved on the
            # user at sign-in; the response then sets the cookie.
            chosen = request.saved_language = _saved_language(request, supported)
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        saved = getattr(request, "saved_language", None)
        if saved and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME, saved, max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE)
        return response


SESSION_LANGUAGE = "bankpm_language"


def _saved_language(request, supported) -> str | None:
    """The language saved on the user, put in the session when they signed in (bankpm.apps, any sign-in path)."""
    session = getattr(request, "session", None)
    language = session.get(SESSION_LANGUAGE) if session is not None else None
    return language if language in supported else None


class SecurityHeadersMiddleware:
    """Headers Django 5.2 does not set itself: a Content-Security-Policy with no inline script anywhere (every page
    script is a static file, data comes through json_script), and a Permissions-Policy that switches off device
    features the app never uses. Responses that bring their own policy (downloads) keep it. Referrer-Policy comes
    from SecurityMiddleware (SECURE_REFERRER_POLICY)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", settings.BANKPM_CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", settings.BANKPM_PERMISSIONS_POLICY)
        return response
