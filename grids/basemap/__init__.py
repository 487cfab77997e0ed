"""The base map from the city's own GIS (底图): layers stored in PostGIS (models in ``grids/models/basemap.py``),
imported from GeoJSON or Shapefile (``loader``), served as Mapbox vector tiles (``tiles``), and generated for the
demo city (``demo``). The browser side is ``static/core/base_map.js`` (``CityBaseMap.addTo(map, options)``)."""
