from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core import exports
from core.api.serializers import DepartmentSerializer, MeSerializer
from core.filtersets import DepartmentFilterSet
from core.models import Department
from core.spreadsheets import XLSX


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


class ExportJobView(APIView):
    """An export job started by ``…/export/`` above the inline limit (202): its progress, and the download URL when
    the file is ready. Another user's job answers 404."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="Follow an export job (导出任务)")
    def get(self, request: Request, pk: int) -> Response:
        job = exports.visible_job(request.user, pk)
        if job is None:
            raise NotFound
        download = request.build_absolute_uri(reverse("api-export-job-download", args=[pk]))
        return Response(exports.status_of(job, download))


class ExportJobDownloadView(APIView):
    """The finished file of an export job (its requester only; logged in the audit log)."""

    @extend_schema(responses={(200, XLSX): OpenApiTypes.BINARY}, summary="Download an export job's file")
    def get(self, request: Request, pk: int) -> HttpResponse:
        job = exports.visible_job(request.user, pk)
        if job is None:
            raise NotFound
        return exports.download_response(request, job)
