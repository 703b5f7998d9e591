"""API shape of audit entries."""
from rest_framework import serializers

from .models import AuditEntry


class AuditChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class AuditEntrySerializer(serializers.ModelSerializer):
    actor_username = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    changes = AuditChangeSerializer(many=True, read_only=True)

    class Meta:
        model = AuditEntry
        fields = ["id", "created_at", "product", "actor", "actor_username", "action", "object_type", "object_id",
                  "from_value", "to_value", "changes", "comment", "prev_hash", "entry_hash"]
        read_only_fields = fields
