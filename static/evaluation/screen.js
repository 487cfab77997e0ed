/* 指挥大屏: polls its JSON data every few seconds and redraws in place — no reload. Open cases on the map in their
 * traffic-light colours (a case not seen before flashes), unit-grid outlines, the heat layer, and ECharts panels.
 * A revoked kiosk key answers 403: the page says so and stops polling. window.screenState is for tests. */
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("screen-config").textContent);
  var text = config.text;
  var LIGHTS = { green: "#22c55e", yellow: "#facc15", red: "#ef4444", none: "#60a5fa" };
  var state = (window.screenState = { polls: 0, caseIds: [], flashed: [], stopped: false, lastError: null });

  function $(id) { return document.getElementById(id); }

  /* ---- Map -------------------------------------------------------------------------------------------------- */

  var map = L.map("sc-map", { zoomControl: false, attributionControl: false, zoomSnap: 0.25 })
    .setView(config.center, config.zoom);
  state.map = map;
  // The shared city base map (static/core/base_map.js) from the screen's own tile address (a kiosk key opens the
  // base tiles under its URL); a centre's raster tiles (MAP_TILES_URL) stay offered beside it.
  if (window.CityBaseMap && typeof window.CityBaseMap.addTo === "function") {
    state.baseMap = window.CityBaseMap.addTo(map, { dark: true, url: config.baseUrl, raster: config.tilesUrl || "" });
  } else if (config.tilesUrl) {
    L.tileLayer(config.tilesUrl, { maxZoom: 19 }).addTo(map);
  }

  map.createPane("heat").style.zIndex = 390;
  map.createPane("cases").style.zIndex = 450;
  var heatLayer = window.CityHeat.layer(config.heatUrl, { pane: "heat", opacity: 0.6 }).addTo(map);
  state.heatLayer = heatLayer;

  var gridStyle = { color: "#38bdf8", weight: 1, opacity: 0.55, fillColor: "#0ea5e9", fillOpacity: 0.04 };
  fetch(config.gridsUrl, { credentials: "same-origin" })
    .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.json(); })
    .then(function (data) {
      var layer = L.geoJSON(data, { style: function () { return gridStyle; } }).addTo(map);
      state.gridsLoaded = (data.features || []).length;
      if (state.gridsLoaded) map.fitBounds(layer.getBounds(), { padding: [10, 10] });
    })
    .catch(function () { state.gridsLoaded = -1; });

  // The open cases: the whole layer on the first answer, then only the changes since the previous answer's
  // cursor, plus the lights of a newer stored layer (evaluation/screen/layer.py). marker.u: when its light was set.
  var markers = {};
  var firstLoad = true;
  var cursor = null;
  var layerSeen = null;
  var truncated = false;
  var needFull = false;

  function placeCase(c, stamp) {
    var colour = LIGHTS[c.light] || LIGHTS.none;
    var marker = markers[c.id];
    if (marker) {
      if (marker.options.fillColor !== colour) marker.setStyle({ fillColor: colour });
      marker.u = stamp;
      return;
    }
    marker = L.circleMarker([c.lat, c.lng], {
      pane: "cases", radius: 7, fillColor: colour, fillOpacity: 0.95, color: "#06111f", weight: 1.5,
      className: "sc-case" + (firstLoad ? "" : " flash"),
    });
    marker.bindTooltip(c.no + " " + c["class"], { className: "sc-grid-tip" });
    marker.addTo(map);
    marker.u = stamp;
    markers[c.id] = marker;
    if (!firstLoad) state.flashed.push(c.id);
  }

  function dropCase(id) {
    if (markers[id]) { map.removeLayer(markers[id]); delete markers[id]; }
  }

  function drawCases(cases) {
    if (cases.full) {
      var seen = {};
      cases.items.forEach(function (c) { seen[c.id] = true; placeCase(c, c.u); });
      Object.keys(markers).forEach(function (id) { if (!seen[id]) dropCase(id); });
    } else {
      cases.items.forEach(function (c) { placeCase(c, c.u); });
      (cases.removed || []).forEach(dropCase);
      if (cases.lights) {
        var at = cases.layer;
        Object.keys(markers).forEach(function (id) {
          var light = cases.lights[id];
          if (markers[id].u > at) return;  // changed after that layer was computed: its own light is newer
          if (light === undefined) { dropCase(id); return; }  // no longer among the open cases shown
          var colour = LIGHTS[light] || LIGHTS.none;
          if (markers[id].options.fillColor !== colour) markers[id].setStyle({ fillColor: colour });
          markers[id].u = at;
        });
        // A case on the layer the display has never seen: ask for the whole layer next time.
        needFull = Object.keys(cases.lights).some(function (id) { return !markers[id]; });
      }
    }
    if (cases.truncated !== undefined) truncated = cases.truncated;
    if (cases.layer !== null && cases.layer !== undefined) layerSeen = cases.layer;
    state.caseIds = Object.keys(markers).map(Number);
    state.full = Boolean(cases.full);
    $("open-total").textContent = state.caseIds.length + (truncated ? "+" : "");
    firstLoad = false;
  }

  /* ---- Charts ----------------------------------------------------------------------------------------------- */

  var charts = {};
  function chart(id) {
    if (!charts[id]) charts[id] = echarts.init($(id), "dark", { renderer: "canvas" });
    return charts[id];
  }
  var AXIS = { axisLabel: { fontSize: 18, color: "#b9cde3" }, axisLine: { lineStyle: { color: "#3b6a99" } } };
  var BASE = { backgroundColor: "transparent", textStyle: { fontSize: 18 }, animationDuration: 400 };

  function drawIntake(intake) {
    var total = intake.reduce(function (s, r) { return s + r.count; }, 0);
    $("intake-total").textContent = String(total);
    var rows = intake.slice().sort(function (a, b) { return a.count - b.count; });
    chart("chart-intake").setOption(Object.assign({}, BASE, {
      grid: { left: 150, right: 50, top: 6, bottom: 6 },
      tooltip: { trigger: "axis" },
      xAxis: Object.assign({ type: "value", show: false }, {}),
      // Every channel named: ten rows in the panel's height leave ~22 px each, so a smaller font and interval 0
      // (ECharts would otherwise hide every other label where they would touch).
      yAxis: Object.assign({ type: "category", data: rows.map(function (r) { return r.label; }) }, AXIS,
        { axisLabel: { fontSize: 15, color: "#b9cde3", interval: 0 } }),
      series: [{ type: "bar", data: rows.map(function (r) { return r.count; }), barMaxWidth: 22,
        itemStyle: { color: "#38bdf8" }, label: { show: true, position: "right", fontSize: 16, color: "#ffd166" } }],
    }), true);
  }

  function drawFunnel(funnel) {
    chart("chart-funnel").setOption(Object.assign({}, BASE, {
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{
        type: "funnel", sort: "none", left: 10, right: 10, top: 6, bottom: 6, minSize: "18%", gap: 2,
        label: { show: true, position: "inside", fontSize: 20, color: "#06111f", fontWeight: 700, formatter: "{b} {c}" },
        data: funnel.map(function (f, i) {
          return { name: f.label, value: f.count, itemStyle: { color: ["#38bdf8", "#22d3ee", "#2dd4bf", "#4ade80", "#a3e635", "#facc15", "#fb923c"][i % 7] } };
        }),
      }],
    }), true);
  }

  function drawHotline(hotline) {
    var value = hotline.satisfaction === null ? 0 : hotline.satisfaction;
    chart("chart-hotline").setOption(Object.assign({}, BASE, {
      series: [{
        type: "gauge", min: 0, max: 100, radius: "95%", center: ["50%", "62%"], startAngle: 200, endAngle: -20,
        progress: { show: true, width: 16, itemStyle: { color: "#4ade80" } },
        axisLine: { lineStyle: { width: 16, color: [[1, "#1d3557"]] } },
        axisTick: { show: false }, splitLine: { show: false }, axisLabel: { show: false }, pointer: { show: false },
        title: { offsetCenter: [0, "38%"], fontSize: 18, color: "#b9cde3" },
        detail: { offsetCenter: [0, "-5%"], fontSize: 44, fontWeight: 700, color: "#e6f1ff",
          formatter: hotline.satisfaction === null ? text.none : "{value}%" },
        data: [{ value: value, name: text.satisfaction + " " + hotline.satisfied + " / " + hotline.visited }],
      }],
    }), true);
  }

  function drawDepartments(rows) {
    rows = rows.slice().reverse();
    chart("chart-departments").setOption(Object.assign({}, BASE, {
      grid: { left: 210, right: 60, top: 4, bottom: 4 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", max: 100, show: false },
      yAxis: { type: "category", data: rows.map(function (r) { return r.name; }),
        axisLabel: { fontSize: 17, color: "#b9cde3", interval: 0, width: 200, overflow: "truncate" },
        axisLine: AXIS.axisLine },
      series: [{ type: "bar", name: text.score, data: rows.map(function (r) { return r.score; }), barMaxWidth: 20,
        itemStyle: { color: "#a78bfa" }, label: { show: true, position: "right", fontSize: 18, color: "#ffd166" } }],
    }), true);
  }

  function drawTrend(trend) {
    chart("chart-trend").setOption(Object.assign({}, BASE, {
      grid: { left: 60, right: 20, top: 40, bottom: 30 },
      tooltip: { trigger: "axis" },
      legend: { data: [text.reported, text.closed], textStyle: { fontSize: 18, color: "#dbe7f5" }, top: 0 },
      xAxis: Object.assign({ type: "category", data: trend.days }, AXIS),
      yAxis: Object.assign({ type: "value", name: text.cases, nameTextStyle: { fontSize: 16 },
        splitLine: { lineStyle: { color: "#16324f" } } }, AXIS),
      series: [
        { type: "line", name: text.reported, data: trend.reported, smooth: true, symbol: "none", lineStyle: { width: 3 }, itemStyle: { color: "#38bdf8" }, areaStyle: { opacity: 0.15 } },
        { type: "line", name: text.closed, data: trend.closed, smooth: true, symbol: "none", lineStyle: { width: 3 }, itemStyle: { color: "#4ade80" } },
      ],
    }), true);
  }

  function fillTable(id, rows, cells) {
    var body = $(id).querySelector("tbody");
    body.textContent = "";
    rows.forEach(function (row) {
      var tr = document.createElement("tr");
      cells(row).forEach(function (cell) {
        var td = document.createElement("td");
        td.textContent = cell.text;
        if (cell.className) td.className = cell.className;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
  }

  function late(hours) {
    if (hours === null || hours === undefined) return "";
    return hours >= 48 ? Math.round(hours / 24) + " " + text.days : hours.toFixed(1) + " " + text.hours;
  }

  function drawLists(data) {
    $("overdue-total").textContent = String(data.overdue_total);
    fillTable("overdue-list", data.overdue, function (r) {
      return [{ text: r.no + " " + r["class"] }, { text: r.department },
        { text: late(r.hours), className: "num late" }];
    });
    fillTable("hotspot-list", data.hotspots, function (r) {
      return [{ text: r.name || r.code }, { text: String(r.cases), className: "num" },
        { text: (r.change > 0 ? "+" : "") + r.change, className: "num " + (r.change > 0 ? "up" : r.change < 0 ? "down" : "") }];
    });
  }

  /* ---- Polling ---------------------------------------------------------------------------------------------- */

  function status(message, bad) {
    var el = $("sc-status");
    el.textContent = message;
    el.classList.toggle("bad", Boolean(bad));
  }

  function draw(data) {
    $("sc-clock").textContent = data.now;
    drawCases(data.cases);
    cursor = needFull ? null : data.cursor;
    needFull = false;
    drawIntake(data.intake);
    drawFunnel(data.funnel);
    drawHotline(data.hotline);
    drawDepartments(data.departments);
    drawTrend(data.trend);
    drawLists(data);
  }

  function poll() {
    if (state.stopped) return;
    var url = config.dataUrl;
    if (cursor !== null) url += "?since=" + cursor + (layerSeen !== null ? "&layer=" + layerSeen : "");
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (response.status === 403 || response.status === 401) {
          state.stopped = true;
          state.lastError = response.status;
          var overlay = $("sc-overlay");
          overlay.textContent = text.revoked;
          overlay.hidden = false;
          return null;
        }
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (data) {
        if (!data) return;
        draw(data);
        state.polls += 1;
        status("", false);
      })
      .catch(function (error) {
        state.lastError = String(error);
        status(text.offline, true);
      })
      .then(function () {
        if (!state.stopped) setTimeout(poll, config.pollSeconds * 1000);
      });
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (id) { charts[id].resize(); });
  });
  poll();
})();
