from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from bankpm.api.throttling import AddressRateThrottle

from . import services
from .models import User


class MeSerializer(serializers.ModelSerializer):
    departments = serializers.SlugRelatedField(slug_field="code", many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "email", "role", "is_superuser", "departments"]
        read_only_fields = fields


class MeView(APIView):
    """The signed-in user, their role and departments."""

    @extend_schema(responses=MeSerializer)
    def get(self, request):
        return Response(MeSerializer(request.user).data)


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField()


class TokenRequestSerializer(AuthTokenSerializer):
    """A username longer than any account's is refused before it reaches authentication (and the lockout log)."""

    username = serializers.CharField(
        label=gettext_lazy("用户名"), max_length=User._meta.get_field("username").max_length, write_only=True
    )
    password = serializers.CharField(label=gettext_lazy("密码"), max_length=4096, write_only=True,
                                     style={"input_type": "password"}, trim_whitespace=False)


class ObtainTokenView(ObtainAuthToken):
    """`POST {"username", "password"}` -> `{"token"}`; locked-out accounts (django-axes) get 429, not a vague 400."""

    serializer_class = TokenRequestSerializer
    # JSON only, like every API body (DRF's view also takes forms and multipart, which the schema would then offer
    # all at once: a generated client's token module did not import).
    parser_classes = api_settings.DEFAULT_PARSER_CLASSES
    throttle_classes = [AddressRateThrottle]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Wrong username or password."),
            429: OpenApiResponse(description="Too many failed attempts: the account is locked for a while."),
        },
    )
    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        if not serializer.is_valid():
            if getattr(request, "axes_locked_out", False) or getattr(request._request, "axes_locked_out", False):
                raise exceptions.Throttled(detail=_("登录失败次数过多，账户已被暂时锁定，请稍后再试。"))
            raise exceptions.ValidationError(serializer.errors)
        token = services.token_issue(user=serializer.validated_data["user"])
        return Response({"token": token.key})
