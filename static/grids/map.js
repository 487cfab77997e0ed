/* 基础地图 console page: unit grids per view bbox, components from vector tiles, attributes on click.
 *
 * The browser never receives the whole city: grids are fetched for the visible bbox from GRID_MIN_ZOOM on,
 * components come as vector tiles from COMPONENT_MIN_ZOOM on. The map object is window.cityMap (tests use it).
 */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("map-config").textContent);
  var text = config.text;
  var statusColour = {};
  config.statuses.forEach(function (s) { statusColour[s.value] = s.colour; });

  // Test and debugging hooks: what is on the map right now.
  var state = (window.cityMapState = { gridsLoaded: 0, gridRequests: 0, componentTilesLoading: false });

  function $(id) { return document.getElementById(id); }

  function setHint(map) {
    var zoom = map.getZoom();
    var lines = [];
    if (zoom < config.gridMinZoom) {
      lines.push(text.zoomForGrids);
    } else {
      lines.push(text.gridsShown + " " + state.gridsLoaded);
    }
    if (!config.canViewComponents) {
      lines.push(text.noComponentAccess);
    } else if (zoom < config.componentMinZoom) {
      lines.push(text.zoomForComponents);
    } else if (zoom < config.fullDetailZoom) {
      lines.push(text.clusters);
    }
    $("map-hint").textContent = lines.join(" ");
  }

  /* ---- Unit grids (万米单元网格): GeoJSON for the visible bbox ---------------------------------------------- */

  var gridStyle = { color: "#0b5cad", weight: 1.5, opacity: 0.9, fillColor: "#0b5cad", fillOpacity: 0.04 };
  var gridHoverStyle = { weight: 3, fillOpacity: 0.15 };

  function makeGridLayer() {
    return L.geoJSON(null, {
      style: function () { return gridStyle; },
      onEachFeature: function (feature, layer) {
        var p = feature.properties || {};
        var label = document.createElement("span");
        var code = document.createElement("strong");
        code.textContent = p.code || "";
        label.appendChild(code);
        if (p.name) label.appendChild(document.createTextNode(" " + p.name));
        layer.bindTooltip(label, { sticky: true, className: "grid-tooltip" });
        layer.on("mouseover", function () { layer.setStyle(gridHoverStyle); });
        layer.on("mouseout", function () { layer.setStyle(gridStyle); });
      },
    });
  }

  async function fetchFeatures(url, signal) {
    // The API may page a large FeatureCollection: follow "next" links, a bounded number of times.
    var features = [];
    for (var page = 0; url && page < 20; page++) {
      var response = await fetch(url, { signal: signal, credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) throw new Error("HTTP " + response.status);
      var data = await response.json();
      var collection = data.features ? data : data.results || {};
      features = features.concat(collection.features || []);
      url = data.next || null;
    }
    return features;
  }

  function gridLoader(map, gridLayer) {
    var controller = null;
    return async function loadGrids() {
      if (controller) controller.abort();
      if (map.getZoom() < config.gridMinZoom) {
        gridLayer.clearLayers();
        state.gridsLoaded = 0;
        setHint(map);
        return;
      }
      controller = new AbortController();
      var mine = controller;
      var url = config.gridsUrl + "?bbox=" + map.getBounds().toBBoxString();
      state.gridRequests += 1;
      try {
        var features = await fetchFeatures(url, mine.signal);
        if (mine.signal.aborted) return;
        gridLayer.clearLayers();
        gridLayer.addData({ type: "FeatureCollection", features: features });
        state.gridsLoaded = features.length;
        setHint(map);
      } catch (err) {
        if (err.name !== "AbortError") $("map-hint").textContent = text.loadFailed;
      }
    };
  }

  /* ---- Components (部件): vector tiles, coloured by status, filtered by class and status -------------------- */

  function selectedStatuses() {
    return Array.prototype.map.call(
      document.querySelectorAll("#map-filters input[name=status]:checked"), function (box) { return box.value; });
  }

  function currentFilter() {
    var major = $("filter-major").selectedOptions[0];
    var minor = $("filter-minor").value;
    var classes = [];
    if (minor) {
      classes = [minor];
    } else if (major && major.dataset.index) {
      classes = config.classes[Number(major.dataset.index)].minors.map(function (c) { return c.code; });
    }
    return { classes: classes, statuses: selectedStatuses() };
  }

  function tileUrl(filter) {
    var params = new URLSearchParams();
    if (filter.classes.length) params.set("class_code", filter.classes.join(","));
    if (filter.statuses.length < config.statuses.length) params.set("status", filter.statuses.join(","));
    var query = params.toString();
    return config.tilesUrl + (query ? "?" + query : "");
  }

  function isCluster(props) {
    return props.point_count !== undefined;
  }

  function componentStyle(filter) {
    var statuses = new Set(filter.statuses);
    var classes = new Set(filter.classes);
    return function (props, zoom) {
      if (isCluster(props)) {
        // Below the tiles' full-detail zoom the server sends one point per cell with its count (already filtered).
        var n = Number(props.point_count) || 1;
        return {
          radius: Math.min(4 + 2 * Math.log2(n), 14),
          fill: true,
          fillColor: "#0891b2",
          fillOpacity: 0.6,
          color: "#ffffff",
          weight: 1,
        };
      }
      // The server filters too; checking here as well keeps the map right whatever a cache kept.
      if (!statuses.has(props.status)) return [];
      if (classes.size && !classes.has(String(props.class_code))) return [];
      return {
        radius: zoom >= 17 ? 6 : 5,
        fill: true,
        fillColor: statusColour[props.status] || "#333",
        fillOpacity: 0.9,
        color: "#ffffff",
        weight: 1,
      };
    };
  }

  function selectedStyle(props) {
    var fill = statusColour[props.status] || "#333";
    return { radius: 8, fill: true, fillColor: fill, fillOpacity: 1, color: "#111827", weight: 3 };
  }

  function makeComponentLayer(filter) {
    var style = componentStyle(filter);
    var styles = {};
    styles[config.tileLayer] = style;
    // Not "interactive": vectorgrid 1.3.0's own event plumbing predates Leaflet 1.9 (Leaflet.VectorGrid #274,
    // #267), and interactive canvas tiles would swallow the hover events the grid tooltips need. Components are
    // drawn in a pane that lets the mouse through, and a map click is hit-tested against them (componentAt).
    return L.vectorGrid.protobuf(tileUrl(filter), {
      rendererFactory: L.canvas.tile,
      vectorTileLayerStyles: styles,
      interactive: false,
      minZoom: config.componentMinZoom,
      maxNativeZoom: 18,
      // ST_AsMVT puts the component id in the feature id, not among the properties.
      getFeatureId: function (f) { return f.id; },
      fetchOptions: { credentials: "same-origin" },
      pane: "components",
    });
  }

  var HIT_TOLERANCE_PX = 3;

  /* What is drawn under a map position: {id, properties, latlng} of the nearest hit feature of the tile holding
   * the position, or null. Tiles are drawn at the tile zoom and scaled to the map zoom: compare in tile pixels. */
  function componentAt(layer, latlng) {
    var map = layer._map;
    var zoom = layer._tileZoom;
    if (!map || zoom === undefined) return null;
    var size = layer.getTileSize();
    var pixel = map.project(latlng, zoom);
    var coords = L.point(Math.floor(pixel.x / size.x), Math.floor(pixel.y / size.y));
    coords.z = zoom;
    var tile = layer._vectorTiles[layer._tileCoordsToKey(coords)];
    if (!tile) return null;
    var origin = coords.scaleBy(size);
    var inTile = pixel.subtract(origin);
    var best = null;
    var bestDistance = Infinity;
    Object.keys(tile._features).forEach(function (id) {
      var symbol = tile._features[id].feature;
      var distance;
      if (symbol._point) {
        distance = symbol._point.distanceTo(inTile) - (symbol._radius || 0);
      } else {
        distance = symbol._containsPoint && symbol._containsPoint(inTile) ? 0 : Infinity;
      }
      if (distance <= HIT_TOLERANCE_PX && distance < bestDistance) {
        var at = symbol._point ? map.unproject(origin.add(symbol._point), zoom) : latlng;
        best = { id: id, properties: symbol.properties, latlng: at };
        bestDistance = distance;
      }
    });
    return best;
  }

  function renderedComponents(layer) {
    var count = 0;
    var tiles = (layer && layer._vectorTiles) || {};
    Object.keys(tiles).forEach(function (key) { count += Object.keys(tiles[key]._features || {}).length; });
    return count;
  }

  /* ---- Class filter (大类 → 小类) ------------------------------------------------------------------------- */

  function fillClassSelects() {
    var major = $("filter-major");
    var multipleStandards = new Set(config.classes.map(function (m) { return m.standard; })).size > 1;
    config.classes.forEach(function (m, index) {
      var option = new Option(m.code + " " + m.name + (multipleStandards ? " · " + m.standard : ""), m.code);
      option.dataset.index = String(index);
      major.appendChild(option);
    });
    fillMinorSelect();
  }

  function fillMinorSelect() {
    var minor = $("filter-minor");
    var keep = minor.value;
    while (minor.options.length > 1) minor.remove(1);
    var chosen = $("filter-major").selectedOptions[0];
    var majors = chosen && chosen.dataset.index ? [config.classes[Number(chosen.dataset.index)]] : config.classes;
    majors.forEach(function (m) {
      m.minors.forEach(function (c) { minor.appendChild(new Option(c.code + " " + c.name, c.code)); });
    });
    minor.value = Array.prototype.some.call(minor.options, function (o) { return o.value === keep; }) ? keep : "";
  }

  /* ---- Attribute panel --------------------------------------------------------------------------------- */

  function attributePanel() {
    var panel = $("component-panel");
    var selected = null;
    var layerRef = { current: null };

    function clearSelection() {
      if (selected !== null && layerRef.current) layerRef.current.resetFeatureStyle(selected);
      selected = null;
    }

    function close() {
      clearSelection();
      panel.hidden = true;
    }

    async function show(id) {
      clearSelection();
      selected = id;
      if (layerRef.current) layerRef.current.setFeatureStyle(id, selectedStyle);
      var response;
      try {
        response = await fetch(config.componentUrl.replace("{id}", encodeURIComponent(id)), {
          credentials: "same-origin", headers: { Accept: "application/json" },
        });
      } catch (err) {
        response = { ok: false, status: 0 };
      }
      if (selected !== id) return;  // another click (or a close) came first: its answer wins
      var body = $("component-attrs");
      body.textContent = "";
      panel.hidden = false;
      if (!response.ok) {
        $("component-title").textContent = response.status === 404 ? text.noComponent : text.loadFailed;
        return;
      }
      var data = await response.json();
      if (selected !== id) return;
      var title = $("component-title");
      title.textContent = data.identifier + " · " + data.class_name;
      title.style.borderColor = data.colour;
      data.rows.forEach(function (row) {
        if (row.value === "" || row.value === null) return;
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        var td = document.createElement("td");
        th.textContent = row.label;
        td.textContent = row.value;
        tr.appendChild(th);
        tr.appendChild(td);
        body.appendChild(tr);
      });
    }

    $("component-panel-close").addEventListener("click", close);
    return { show: show, close: close, layerRef: layerRef };
  }

  /* ---- Wiring -------------------------------------------------------------------------------------------- */

  window.cityMapInit = function (map) {
    window.cityMap = map;
    var pane = map.createPane("components");
    pane.style.zIndex = 450;  // above the grid outlines (overlayPane 400), below tooltips and popups
    pane.style.pointerEvents = "none";

    var gridLayer = makeGridLayer().addTo(map);
    var loadGrids = gridLoader(map, gridLayer);
    var timer = null;
    map.on("moveend", function () {
      clearTimeout(timer);
      timer = setTimeout(loadGrids, 150);
      setHint(map);
    });

    var panel = attributePanel();
    var componentLayer = null;

    function reloadComponents() {
      panel.close();
      if (componentLayer) map.removeLayer(componentLayer);
      componentLayer = null;
      panel.layerRef.current = null;
      var filter = currentFilter();
      state.componentTilesLoading = false;
      if (!config.canViewComponents || filter.statuses.length === 0) return;
      componentLayer = makeComponentLayer(filter);
      componentLayer.on("loading", function () { state.componentTilesLoading = true; });
      componentLayer.on("load", function () { state.componentTilesLoading = false; });
      componentLayer.addTo(map);
      panel.layerRef.current = componentLayer;
    }

    // A click on a grid polygon reaches the map too: whatever is under it, a component wins.
    map.on("click", function (e) {
      var hit = componentLayer && map.getZoom() >= config.componentMinZoom ? componentAt(componentLayer, e.latlng) : null;
      if (!hit) {
        panel.close();
      } else if (isCluster(hit.properties)) {
        map.setView(hit.latlng, Math.max(config.fullDetailZoom, map.getZoom() + 1));
      } else {
        panel.show(hit.id);
      }
    });
    map.on("mousemove", function (e) {
      var over = componentLayer && map.getZoom() >= config.componentMinZoom && componentAt(componentLayer, e.latlng);
      map.getContainer().classList.toggle("over-component", Boolean(over));
    });

    state.renderedComponents = function () { return renderedComponents(componentLayer); };
    state.componentAt = function (lat, lng) {
      return componentLayer ? componentAt(componentLayer, L.latLng(lat, lng)) : null;
    };
    state.layers = { grids: gridLayer, components: function () { return componentLayer; } };

    fillClassSelects();
    $("filter-major").addEventListener("change", function () { fillMinorSelect(); reloadComponents(); });
    $("filter-minor").addEventListener("change", reloadComponents);
    document.querySelectorAll("#map-filters input[name=status]").forEach(function (box) {
      box.addEventListener("change", reloadComponents);
    });
    if (!config.canViewComponents) {
      document.querySelectorAll("#map-filters select, #map-filters input").forEach(function (el) { el.disabled = true; });
    }

    // 热点分析: the heat layer, with the period, class and source of the page's query string (from the hotspot page).
    var heatToggle = $("heat-toggle");
    if (heatToggle && config.heatUrl && window.CityHeat) {
      var heatLayer = null;
      var params = new URLSearchParams(window.location.search);
      var query = new URLSearchParams();
      ["from", "to", "class", "source"].forEach(function (k) { if (params.get(k)) query.set(k, params.get(k)); });
      var heatPane = map.createPane("heat");
      heatPane.style.zIndex = 390;
      heatPane.style.pointerEvents = "none";
      heatToggle.addEventListener("change", function () {
        if (heatLayer) { map.removeLayer(heatLayer); heatLayer = null; }
        if (heatToggle.checked) {
          var suffix = query.toString() ? "?" + query.toString() : "";
          heatLayer = window.CityHeat.layer(config.heatUrl + suffix, { pane: "heat" }).addTo(map);
        }
        state.layers.heat = heatLayer;
      });
      if (params.get("heat") === "1") { heatToggle.checked = true; heatToggle.dispatchEvent(new Event("change")); }
    }

    reloadComponents();
    setHint(map);
    loadGrids();
  };
})();
