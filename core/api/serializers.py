from rest_framework import serializers

from core.models import Department, User


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name", "parent", "kind", "is_active"]


class MeSerializer(serializers.ModelSerializer):
    role_label = serializers.CharField(source="get_role_display", read_only=True)
    department = DepartmentSerializer(read_only=True, allow_null=True)
    permissions = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "first_name", "last_name", "role", "role_label", "department", "permissions"]

    def get_permissions(self, user: User) -> list[str]:
        return sorted(user.get_all_permissions())
