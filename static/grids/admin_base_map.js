/*
 * The admin's geometry editors (django-leaflet widgets) draw the city base map under what is being edited, with
 * the unit-grid outlines, through the shared style of static/core/base_map.js. Loaded with the widget's media
 * (LEAFLET_CONFIG["PLUGINS"]["forms"]); django-leaflet announces each map it makes with a "map:init" event.
 */
(function () {
  "use strict";

  window.addEventListener("map:init", function (event) {
    if (window.CityBaseMap) window.CityBaseMap.addTo(event.detail.map, { grids: true });
  });
})();
