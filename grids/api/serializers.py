"""Serializers of the base-map API: the grid look-up answer and components as GeoJSON features."""

from __future__ import annotations

import json

from rest_framework import serializers

from grids.models import Component


class RegionRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class GridLookupSerializer(serializers.Serializer):
    """Where a point is: unit grid, community, street, district (answer of ``locate_point``)."""

    grid_id = serializers.IntegerField()
    grid_code = serializers.CharField()
    grid_name = serializers.CharField()
    community = RegionRefSerializer()
    street = RegionRefSerializer()
    district = RegionRefSerializer()

    def to_representation(self, location) -> dict:
        return {
            "grid_id": location.grid_id,
            "grid_code": location.grid_code,
            "grid_name": location.grid_name,
            "community": {"code": location.community_code, "name": location.community_name},
            "street": {"code": location.street_code, "name": location.street_name},
            "district": {"code": location.district_code, "name": location.district_name},
        }


class LookupQuerySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)


class ComponentFeatureSerializer(serializers.ModelSerializer):
    """A component as a GeoJSON Feature; the geometry comes from PostGIS (``geojson`` annotation, 6 decimals)."""

    class Meta:
        model = Component
        fields = ["id", "identifier", "name", "status"]

    def to_representation(self, component: Component) -> dict:
        return {
            "type": "Feature",
            "id": component.id,
            "geometry": json.loads(component.geojson),
            "properties": {
                "identifier": component.identifier,
                "name": component.name,
                "class_code": component.minor_class.code,
                "class_name": component.minor_class.name,
                "status": component.status,
                "status_label": str(component.get_status_display()),
                "grid": component.grid.code if component.grid_id else None,
                "census_date": component.census_date.isoformat() if component.census_date else None,
                "changed_date": component.changed_date.isoformat() if component.changed_date else None,
            },
        }
