/* The heat layer of 热点分析, shared by the map console and the big screen: square cells from the heat vector tiles
 * (/tiles/heat/{z}/{x}/{y}.pbf, layer "heat", property n = cases counted), coloured on a fixed logarithmic scale so
 * every tile and every page read the same colour for the same count. window.CityHeat.layer(url, options). */
(function () {
  "use strict";

  var STEPS = [1, 3, 10, 30, 100, 300];
  var COLOURS = ["#fde68a", "#fbbf24", "#f59e0b", "#f97316", "#ef4444", "#b91c1c"];

  function colour(n) {
    var index = 0;
    for (var i = 0; i < STEPS.length; i++) if (n >= STEPS[i]) index = i;
    return COLOURS[index];
  }

  function layer(url, options) {
    options = options || {};
    var opacity = options.opacity || 0.55;
    return L.vectorGrid.protobuf(url, {
      pane: options.pane || "overlayPane",
      maxNativeZoom: 18,
      interactive: false,
      fetchOptions: { credentials: "same-origin" },
      vectorTileLayerStyles: {
        heat: function (properties) {
          var n = Number(properties.n) || 0;
          return { fill: true, fillColor: colour(n), fillOpacity: opacity, stroke: false, weight: 0 };
        },
      },
    });
  }

  window.CityHeat = { layer: layer, colour: colour, steps: STEPS, colours: COLOURS };
})();
