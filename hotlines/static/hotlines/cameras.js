/*
 * Camera pages: django-leaflet calls window.cameraMapInit(map); the cameras come from the json_script
 * "camera-map-data" ({cameras: [{id, code, name, lng, lat, active, url}]}). window.cameraMapState is for tests.
 */
(function () {
  "use strict";

  window.cameraMapInit = function (map) {
    var data = JSON.parse(document.getElementById("camera-map-data").textContent);
    var bounds = L.latLngBounds([]);
    var state = (window.cameraMapState = { markers: 0 });
    data.cameras.forEach(function (camera) {
      var marker = L.circleMarker([camera.lat, camera.lng], {
        radius: 7,
        color: camera.active ? "#1769aa" : "#888",
        fillOpacity: 0.7,
      }).addTo(map);
      var label = document.createElement("a");
      label.href = camera.url;
      label.textContent = camera.code + " " + camera.name;
      marker.bindPopup(label);
      bounds.extend([camera.lat, camera.lng]);
      state.markers += 1;
    });
    if (bounds.isValid()) map.fitBounds(bounds.pad(0.2), { maxZoom: 17, padding: [20, 20], animate: false });
  };
})();
