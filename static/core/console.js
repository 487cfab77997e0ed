/*
 * Behaviour every console page shares, kept out of the templates so the Content-Security-Policy can refuse inline
 * script: the language switch submits on change, [data-print] buttons print, and every map rendered by
 * {% console_map %} is created with django-leaflet's L.Map.djangoMap once the page has loaded, with the city base
 * map under it (CityBaseMap.addTo, static/core/base_map.js; its options in the container's data-base-map).
 */
(function () {
  "use strict";

  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  function startMaps() {
    document.querySelectorAll("[data-leaflet-map]").forEach(function (container) {
      var options = document.getElementById(container.id + "-options");
      var callback = window[container.dataset.leafletMap];
      var base = container.dataset.baseMap ? JSON.parse(container.dataset.baseMap) : null;
      L.Map.djangoMap(container.id, {
        djoptions: JSON.parse(options.textContent),
        globals: false,
        callback: function (map, mapOptions) {
          if (base && window.CityBaseMap) map.cityBase = window.CityBaseMap.addTo(map, base);
          if (typeof callback === "function") callback(map, mapOptions);
        },
      });
    });
  }

  if (document.querySelector("[data-leaflet-map]")) {
    if (document.readyState === "complete") startMaps();
    else window.addEventListener("load", startMaps);
  }
})();
