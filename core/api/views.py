from rest_framework import generics, viewsets

from core.api.serializers import DepartmentSerializer, MeSerializer
from core.filtersets import DepartmentFilterSet
from core.models import Department


class MeView(generics.RetrieveAPIView):
    """The authenticated user: username, role and department."""

    serializer_class = MeSerializer

    def get_object(self):
        return self.request.user


class DepartmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Departments and their sub-units, for dispatch pickers and the handheld app."""

    queryset = Department.objects.filter(is_active=True).order_by("code")
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilterSet
    pagination_class = None
