/*
 * 城市底图: the one base map every map of the platform draws, from the city's own GIS served as vector tiles
 * (GET /tiles/base/{z}/{x}/{y}.pbf, layers green, water, buildings, roads, grids, labels, road_labels).
 *
 *   var base = CityBaseMap.addTo(map, {
 *     url: "/tiles/base/{z}/{x}/{y}.pbf",  // default
 *     dark: false,                          // true: the big screen's dark scheme
 *     grids: false,                         // true: draw the current unit-grid outlines too
 *     labels: true,                         // place and road names
 *     raster: "",                           // a raster tile server's URL template (MAP_TILES_URL), optional
 *     text: {vector: "…", raster: "…"},     // names in the layer switcher (default by the page's language)
 *   });
 *   base.state  // {tiles, features: {roads: n, …}, labels}: what has been drawn, for tests
 *
 * Needs Leaflet and Leaflet.VectorGrid (static/vendor/leaflet.vectorgrid), which {% leaflet_js %} and the admin's
 * geometry widgets load with this file (LEAFLET_CONFIG["PLUGINS"]). Maps made by {% console_map %} get it through
 * static/core/console.js; any other map calls addTo itself. A raster layer already on the map (django-leaflet adds
 * MAP_TILES_URL when it is set) or given as `raster` stays the base, and a layer switcher offers the vector one.
 * Every base map drawn on the page is listed in window.cityBaseMaps.
 */
(function () {
  "use strict";

  var DEFAULT_URL = "/tiles/base/{z}/{x}/{y}.pbf";

  // Road colours per class: [fill, casing]; below zoom 13 a road is one line in its casing colour.
  var SCHEMES = {
    light: {
      land: "#f1efe9",
      green: "#cde5bb",
      water: "#a8d2ef",
      waterLine: "#86bde6",
      building: "#dcd6cb",
      buildingEdge: "#c2baab",
      road: {
        expressway: ["#f7b955", "#c98a1e"],
        arterial: ["#fde7a6", "#d6ad55"],
        secondary: ["#ffffff", "#b3a995"],
        branch: ["#ffffff", "#c4bba9"],
        lane: ["#ffffff", "#d3cbbb"],
      },
      grid: "#0b5cad",
    },
    dark: {
      land: "#0b1424",
      green: "#10291f",
      water: "#0f3556",
      waterLine: "#1a4b73",
      building: "#1a2436",
      buildingEdge: "#27344c",
      road: {
        expressway: ["#9a742e", "#5b451d"],
        arterial: ["#4a5f86", "#0b1424"],
        secondary: ["#3a4d72", "#0b1424"],
        branch: ["#2d3d5c", "#0b1424"],
        lane: ["#26344f", "#0b1424"],
      },
      grid: "#38bdf8",
    },
  };

  // Line width in pixels at zoom 14 per road class; doubling every two zoom levels.
  var ROAD_WIDTH = { expressway: 5, arterial: 4, secondary: 3, branch: 2, lane: 1.2 };

  function roadWidth(roadClass, zoom) {
    return Math.max(0.6, (ROAD_WIDTH[roadClass] || 1) * Math.pow(2, (zoom - 14) / 2));
  }

  /* The VectorGrid styles of every layer for one scheme; labels are drawn as text, not by the canvas. */
  function styles(dark, withGrids) {
    var s = dark ? SCHEMES.dark : SCHEMES.light;
    return {
      green: { fill: true, fillColor: s.green, fillOpacity: 1, stroke: false },
      water: function (p) {
        return p.kind === "canal" || p.kind === "river"
          ? { fill: true, fillColor: s.water, fillOpacity: 1, color: s.waterLine, weight: 2 }
          : { fill: true, fillColor: s.water, fillOpacity: 1, color: s.waterLine, weight: 1 };
      },
      buildings: { fill: true, fillColor: s.building, fillOpacity: 1, color: s.buildingEdge, weight: 0.6 },
      roads: function (p, zoom) {
        var width = roadWidth(p["class"], zoom);
        var colours = s.road[p["class"]] || s.road.lane;
        if (zoom < 13) return { color: dark ? colours[0] : colours[1], weight: width, opacity: 1 };
        return [
          { color: colours[1], weight: width + 2, opacity: 1, lineCap: "round" },
          { color: colours[0], weight: width, opacity: 1, lineCap: "round" },
        ];
      },
      grids: withGrids ? { fill: false, color: s.grid, weight: 1, opacity: 0.75, dashArray: "4 3" } : [],
      labels: [],
      road_labels: [],
    };
  }

  function defaultText() {
    var zh = (document.documentElement.lang || "zh").toLowerCase().indexOf("zh") === 0;
    return zh ? { vector: "城市底图", raster: "栅格底图" } : { vector: "City base map", raster: "Raster base map" };
  }

  var LABEL_RANK = { district: 0, street: 1, community: 2, landmark: 3, road: 4 };
  var LABEL_LAYERS = { labels: true, road_labels: true };

  /* A VectorGrid that also hands each tile's label points to `onLabels` (the canvas cannot write text). */
  var BaseGrid = L.VectorGrid.Protobuf.extend({
    _getVectorTilePromise: function (coords) {
      var self = this;
      return L.VectorGrid.Protobuf.prototype._getVectorTilePromise.call(this, coords).then(function (tile) {
        if (self.options.onTile) self.options.onTile(coords, tile);
        return tile;
      }, function () {
        // A request cut short (the page is left, the network drops) leaves an empty tile, not an unhandled error.
        return { layers: {} };
      });
    },
  });

  function addTo(map, opts) {
    opts = opts || {};
    var dark = Boolean(opts.dark);
    var scheme = dark ? SCHEMES.dark : SCHEMES.light;
    var text = L.extend(defaultText(), opts.text || {});
    var state = { tiles: 0, features: {}, labels: 0, dark: dark };

    if (!map.getPane("citybase")) {
      map.createPane("citybase").style.zIndex = 150;  // under raster tiles (200) and every overlay (400)
      var labelPane = map.createPane("citybaselabels");
      labelPane.style.zIndex = 380;
      labelPane.style.pointerEvents = "none";
    }

    var labelGroup = L.layerGroup();
    var labelsByTile = {};
    var taken = {};  // label boxes already used at the current zoom: names must not overprint each other

    function placeLabels(coords, tile) {
      var key = coords.x + ":" + coords.y + ":" + coords.z;
      var size = 256;
      var placed = [];
      var items = [];
      Object.keys(tile.layers).forEach(function (name) {
        var layer = tile.layers[name];
        state.features[name] = (state.features[name] || 0) + layer.features.length;
        if (!LABEL_LAYERS[name] || opts.labels === false) return;
        layer.features.forEach(function (f) {
          var point = f.geometry[0] && f.geometry[0][0];
          if (!point || !f.properties.name) return;
          var kind = name === "road_labels" ? "road" : f.properties.kind;
          items.push({ kind: kind, name: f.properties.name, x: point.x * size / layer.extent, y: point.y * size / layer.extent });
        });
      });
      state.tiles += 1;
      items.sort(function (a, b) { return (LABEL_RANK[a.kind] || 9) - (LABEL_RANK[b.kind] || 9); });
      items.forEach(function (item) {
        var pixel = L.point(coords.x * size + item.x, coords.y * size + item.y);
        var box = Math.floor(pixel.x / 90) + ":" + Math.floor(pixel.y / 22) + ":" + coords.z;
        if (taken[box]) return;
        taken[box] = true;
        var span = document.createElement("span");
        span.textContent = item.name;  // survey data is text, never HTML
        var marker = L.marker(map.unproject(pixel, coords.z), {
          pane: "citybaselabels",
          interactive: false,
          keyboard: false,
          icon: L.divIcon({ className: "citybase-label citybase-" + item.kind, html: span, iconSize: null }),
        });
        marker.cityBaseName = item.name;
        placed.push(marker);
        labelGroup.addLayer(marker);
      });
      labelsByTile[key] = placed;
      state.labels = labelGroup.getLayers().length;
    }

    var grid = new BaseGrid(opts.url || DEFAULT_URL, {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles(dark, Boolean(opts.grids)),
      interactive: false,
      pane: "citybase",
      minZoom: 10,
      maxNativeZoom: 18,
      fetchOptions: { credentials: "same-origin" },
      onTile: placeLabels,
    });
    grid.on("tileunload", function (e) {
      var key = e.coords.x + ":" + e.coords.y + ":" + e.coords.z;
      (labelsByTile[key] || []).forEach(function (marker) { labelGroup.removeLayer(marker); });
      delete labelsByTile[key];
      state.labels = labelGroup.getLayers().length;
    });
    map.on("zoomstart", function () { taken = {}; });

    var vector = L.layerGroup([grid, labelGroup]);
    var container = map.getContainer();
    var previousBackground = container.style.background;
    vector.on("add", function () {
      container.style.background = scheme.land;
      container.classList.toggle("citybase-dark", dark);
    });
    vector.on("remove", function () { container.style.background = previousBackground; });

    var raster = null;
    map.eachLayer(function (layer) {
      if (!raster && layer instanceof L.TileLayer) raster = layer;
    });
    if (!raster && opts.raster) raster = L.tileLayer(opts.raster, { maxZoom: 19 }).addTo(map);
    if (raster) {
      var bases = {};
      bases[text.raster] = raster;
      bases[text.vector] = vector;
      L.control.layers(bases, null, { position: "topright" }).addTo(map);
    } else {
      vector.addTo(map);
    }

    var handle = { layer: grid, labels: labelGroup, group: vector, raster: raster, state: state };
    (window.cityBaseMaps = window.cityBaseMaps || []).push(handle);
    return handle;
  }

  window.CityBaseMap = { addTo: addTo, styles: styles, schemes: SCHEMES };
})();
