"""API tokens in the admin: revoked, never minted or shown, so nobody acts through the API as someone else."""
import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db


def test_the_admin_cannot_create_a_token_for_a_user(client, admin_user, pm):
    client.force_login(admin_user)
    url = reverse("admin:authtoken_tokenproxy_add")
    assert client.get(url).status_code == 403
    assert client.post(url, {"user": pm.pk}).status_code == 403
    assert not Token.objects.filter(user=pm).exists()


def test_the_admin_list_does_not_show_a_tokens_key(client, admin_user, pm):
    token = Token.objects.create(user=pm)
    client.force_login(admin_user)
    html = client.get(reverse("admin:authtoken_tokenproxy_changelist")).content.decode()
    assert pm.username in html and token.key not in html


def test_the_admin_can_revoke_a_token(client, admin_user, pm):
    Token.objects.create(user=pm)
    client.force_login(admin_user)
    client.post(reverse("admin:authtoken_tokenproxy_delete", args=[pm.pk]), {"post": "yes"})  # keyed by user
    assert not Token.objects.filter(user=pm).exists()
