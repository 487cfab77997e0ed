/* The public report page: pick the point on a map or take the phone's position; send once. */
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  if (!form) return;
  var lat = form.querySelector("input[name=lat]");
  var lng = form.querySelector("input[name=lng]");
  var status = document.getElementById("point-status");
  var box = document.getElementById("report-map");
  var map = null;
  var marker = null;

  function choose(y, x) {
    lat.value = y.toFixed(6);
    lng.value = x.toFixed(6);
    status.textContent = status.dataset.chosen + " (" + lat.value + ", " + lng.value + ")";
    if (map) {
      if (marker) marker.setLatLng([y, x]);
      else marker = L.marker([y, x]).addTo(map);
      map.setView([y, x], Math.max(map.getZoom(), 16));
    }
  }

  if (window.L && box) {
    map = L.map(box).setView([parseFloat(box.dataset.lat), parseFloat(box.dataset.lng)], 13);
    if (box.dataset.tiles) L.tileLayer(box.dataset.tiles, { maxZoom: 19 }).addTo(map);
    map.on("click", function (e) { choose(e.latlng.lat, e.latlng.lng); });
    if (lat.value && lng.value) choose(parseFloat(lat.value), parseFloat(lng.value));
  }

  document.getElementById("locate").addEventListener("click", function () {
    if (!navigator.geolocation) { status.textContent = status.dataset.failed; return; }
    navigator.geolocation.getCurrentPosition(
      function (p) { choose(p.coords.latitude, p.coords.longitude); },
      function () { status.textContent = status.dataset.failed; },
      { enableHighAccuracy: true, timeout: 10000 }
    );
  });

  // A double tap sends once; the hidden client_token makes a resent form answer with the same report anyway.
  form.addEventListener("submit", function (e) {
    if (form.dataset.sent) { e.preventDefault(); return; }
    form.dataset.sent = "1";
    document.getElementById("send").disabled = true;
  });
})();
