from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class ChosenLanguageMiddleware(LocaleMiddleware):
    """Chinese unless the user picked another language with the switcher (the browser's language is not used)."""

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


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
