"""Admin of regions, grids and components (Leaflet maps) and the import upload page."""
