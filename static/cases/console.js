/* 案件办理 console: live queue updates on the queue page, the Leaflet map on the case page.
 *
 * Queue page: every few seconds GET live/ (counts per queue, unread notifications, cases changed since the last
 * poll). When a count or any visible case changed, only the table is re-fetched (?partial=table) and swapped in,
 * keeping the filters and page; rows that arrived are highlighted. window.caseConsoleState is for tests.
 *
 * Case page: django-leaflet calls window.caseMapInit(map) with the map; the case point, its unit grid and the
 * components nearby come from the json_script "case-map-data". window.caseMap is for tests.
 */
(function () {
  "use strict";

  function $(id) { return document.getElementById(id); }

  /* ---- Queue page --------------------------------------------------------------------------------------- */

  function startQueue(config) {
    var state = (window.caseConsoleState = { polls: 0, refreshes: 0, counts: config.counts, since: config.since });
    var timer = null;

    function setCounts(counts) {
      Object.keys(counts).forEach(function (key) {
        var el = document.querySelector('[data-count="' + key + '"]');
        if (el) el.textContent = counts[key];
      });
    }

    function countsDiffer(a, b) {
      return Object.keys(b).some(function (key) { return a[key] !== b[key]; });
    }

    function tableUrl() {
      var url = new URL(window.location.href);
      url.searchParams.set("partial", "table");
      if (!url.searchParams.get("queue")) url.searchParams.set("queue", config.queue);
      return url.toString();
    }

    async function refreshTable(highlight) {
      var response = await fetch(tableUrl(), { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      $("queue-table").innerHTML = await response.text();
      state.refreshes += 1;
      highlight.forEach(function (id) {
        var row = document.querySelector('#queue-table tr[data-case="' + id + '"]');
        if (row) row.classList.add("fresh");
      });
    }

    async function poll() {
      var url = new URL(config.liveUrl, window.location.href);
      url.searchParams.set("queue", config.queue);
      url.searchParams.set("since", state.since);
      try {
        var response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
        if (response.status === 401 || response.status === 403) return stop();
        if (!response.ok) return;
        var body = await response.json();
        state.polls += 1;
        state.since = body.now;
        var unread = $("unread-count");
        if (unread) {
          unread.textContent = body.unread;
          unread.classList.toggle("hot", body.unread > 0);
        }
        var changed = countsDiffer(state.counts, body.counts) || body.changed.length > 0;
        setCounts(body.counts);
        state.counts = body.counts;
        if (changed) {
          await refreshTable(body["new"].concat(body.changed));
          if (body["new"].length) {
            $("live-status").textContent = config.text.newCases.replace("%(count)s", body["new"].length);
          } else {
            $("live-status").textContent = config.text.updated;
          }
        }
      } catch (err) {
        // A dropped connection is retried at the next tick; the page keeps what it shows.
      }
    }

    function stop() {
      if (timer) window.clearInterval(timer);
      timer = null;
    }

    timer = window.setInterval(function () {
      if (!document.hidden) poll();
    }, config.pollSeconds * 1000);
    state.pollNow = poll;
  }

  /* ---- Case page: the map -------------------------------------------------------------------------------- */

  function text(tag, value, cls) {
    var el = document.createElement(tag);
    el.textContent = value;
    if (cls) el.className = cls;
    return el;
  }

  window.caseMapInit = function (map) {
    var data = JSON.parse($("case-map-data").textContent);
    var bounds = L.latLngBounds([]);
    var state = (window.caseMapState = { components: 0, grid: false });
    window.caseMap = map;

    if (data.grid) {
      var grid = L.geoJSON(data.grid, {
        style: { color: "#0b5cad", weight: 2, fillColor: "#0b5cad", fillOpacity: 0.06 },
      }).addTo(map);
      // Leaflet renders a string tooltip as HTML: a grid's name is data, so it goes in as a text node.
      grid.bindTooltip(text("span", data.grid.properties.code + " " + (data.grid.properties.name || "")), {
        sticky: true,
      });
      bounds.extend(grid.getBounds());
      state.grid = true;
    }

    data.components.forEach(function (c) {
      var marker = L.circleMarker([c.lat, c.lng], {
        radius: c.linked ? 7 : 5,
        color: c.linked ? "#7c3aed" : "#0e7490",
        weight: c.linked ? 3 : 1,
        fillColor: "#22d3ee",
        fillOpacity: 0.7,
        className: "component-marker",
      }).addTo(map);
      var popup = document.createElement("div");
      popup.appendChild(text("strong", c.name));
      popup.appendChild(document.createElement("br"));
      popup.appendChild(text("span", c["class"]));
      popup.appendChild(document.createElement("br"));
      popup.appendChild(text("span", c.identifier + " · " + c.status + " · " + c.distance + " m"));
      marker.bindPopup(popup);
      state.components += 1;
    });

    var point = L.latLng(data.point[1], data.point[0]);
    L.circleMarker(point, {
      radius: 9, color: "#c53030", weight: 3, fillColor: "#f87171", fillOpacity: 0.9, className: "case-marker",
    }).addTo(map).bindTooltip(text("span", $("case-no").textContent), { permanent: false });
    bounds.extend(point);
    map.fitBounds(bounds.pad(0.15), { maxZoom: 18, animate: false });
  };

  /* ---- Start ----------------------------------------------------------------------------------------------- */

  var liveConfig = $("live-config");
  if (liveConfig) startQueue(JSON.parse(liveConfig.textContent));
})();
