/*
 * 案件地图: django-leaflet calls window.casesMapInit(map). For each view the open cases inside it come from the
 * API (cases/map/?bbox=…, with the page's filters), drawn as circles in their traffic-light colours with a popup
 * linking to the case. window.casesMapState is for tests.
 */
(function () {
  "use strict";

  var COLOURS = { green: "#1a7f37", yellow: "#d97706", red: "#c53030" };

  window.casesMapInit = function (map) {
    var config = JSON.parse(document.getElementById("cases-map-config").textContent);
    var layer = L.layerGroup().addTo(map);
    var state = (window.casesMapState = { loads: 0, shown: 0, truncated: false });
    var pending = null;

    function filters() {
      var params = new URLSearchParams(window.location.search);
      params.set("bbox", map.getBounds().toBBoxString());
      return params;
    }

    async function load() {
      if (pending) pending.abort();
      pending = new AbortController();
      var response;
      try {
        response = await fetch(config.casesUrl + "?" + filters().toString(), {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
          signal: pending.signal,
        });
      } catch (err) {
        return;  // a newer view replaced this request
      }
      if (!response.ok) return;
      var data = await response.json();
      layer.clearLayers();
      data.features.forEach(function (f) {
        var p = f.properties;
        var colour = COLOURS[p.light] || "#6b7280";
        var marker = L.circleMarker([f.geometry.coordinates[1], f.geometry.coordinates[0]], {
          radius: 6, color: colour, weight: 2, fillColor: colour, fillOpacity: 0.7,
        });
        var box = document.createElement("div");
        var title = document.createElement("strong");
        title.textContent = p.case_no;
        var body = document.createElement("div");
        body.textContent = p["class"] + " · " + p.status_label;
        var link = document.createElement("a");
        link.href = p.url;
        link.textContent = config.detailText;
        box.append(title, body, link);
        marker.bindPopup(box);
        marker.caseNo = p.case_no;
        layer.addLayer(marker);
      });
      state.loads += 1;
      state.shown = data.features.length;
      state.truncated = data.truncated;
      document.getElementById("cases-map-status").textContent =
        config.countText.replace("%(count)s", data.features.length) + (data.truncated ? " " + config.truncatedText : "");
    }

    map.on("moveend", load);
    load();
    window.casesMap = map;
  };
})();
