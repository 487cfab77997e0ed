/*
 * Behaviour every console page shares, kept out of the templates so the Content-Security-Policy can refuse inline
 * script: the language switch submits on change, [data-print] buttons print, and every map rendered by
 * {% console_map %} is created with django-leaflet's L.Map.djangoMap once the page has loaded.
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
      L.Map.djangoMap(container.id, {
        djoptions: JSON.parse(options.textContent),
        globals: false,
        callback: typeof callback === "function" ? callback : function () {},
      });
    });
  }

  if (document.querySelector("[data-leaflet-map]")) {
    if (document.readyState === "complete") startMaps();
    else window.addEventListener("load", startMaps);
  }
})();
