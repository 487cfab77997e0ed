/* 巡查轨迹 (/map/patrol/): the duty grids' outlines, a day's tracks (one colour per collector) and the presence
 * figures from the patrol API. The page's #patrol-config names the endpoints and the query; nothing is hard-coded. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("patrol-config").textContent);
  const PALETTE = ["#1f5fa8", "#c0392b", "#2e8b57", "#8e44ad", "#d35400", "#16a085", "#7f8c8d", "#b7950b"];
  const colour = (id) => PALETTE[id % PALETTE.length];
  const name = (id) => config.names[id] || String(id);

  function query() {
    const params = new URLSearchParams({ date: config.date });
    if (config.collector) params.set("collector", config.collector);
    if (config.shift) params.set("shift", config.shift);
    return params.toString();
  }

  function cell(text) {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  }

  function showFigures(rows) {
    const body = document.querySelector("#patrol-figures tbody");
    body.replaceChildren(
      ...rows.map((row) => {
        const tr = document.createElement("tr");
        tr.dataset.collector = row.collector;
        tr.append(
          cell(name(row.collector)),
          cell(row.presence_rate === null ? "—" : row.presence_rate + "%"),
          cell(row.distance_km.toFixed(2)),
          cell(String(row.grids_visited)),
          cell(String(row.gaps.length))
        );
        tr.style.borderLeft = "4px solid " + colour(row.collector);
        return tr;
      })
    );
  }

  window.patrolMapInit = function (map) {
    const duty = L.geoJSON(config.duty, {
      style: { color: "#1f5fa8", weight: 2, dashArray: "6 4", fillOpacity: 0.05 },
      filter: (f) => !config.collector || f.properties.collectors.includes(Number(config.collector)),
      onEachFeature: (f, layer) => layer.bindTooltip(`${f.properties.code} ${f.properties.name}`),
    }).addTo(map);
    const hint = document.getElementById("patrol-hint");
    Promise.all([fetch(`${config.tracksUrl}?${query()}`), fetch(`${config.figuresUrl}?${query()}`)])
      .then(([tracks, figures]) => {
        if (!tracks.ok || !figures.ok) throw new Error("load");
        return Promise.all([tracks.json(), figures.json()]);
      })
      .then(([tracks, figures]) => {
        const lines = L.geoJSON(tracks, {
          style: (f) => ({ color: colour(f.properties.collector), weight: 3, opacity: 0.85 }),
          onEachFeature: (f, layer) => layer.bindTooltip(`${name(f.properties.collector)} · ${f.properties.points}`),
        }).addTo(map);
        showFigures(figures.results);
        const bounds = lines.getLayers().length ? lines.getBounds() : duty.getBounds();
        if (bounds.isValid()) map.fitBounds(bounds, { padding: [20, 20] });
        hint.textContent = tracks.features.length ? "" : config.text.noTrack;
        document.body.dataset.tracks = String(tracks.features.length);
      })
      .catch(() => (hint.textContent = config.text.loadFailed));
  };
})();
