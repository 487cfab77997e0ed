/* Service worker of the collectors' app, served at /app/sw.js with CACHE and SHELL prepended by the server
 * (cases/views/fieldapp.py): CACHE changes whenever a file of the shell changes, SHELL lists the shell's URLs.
 *
 * The shell (page, manifest, script, styles, Leaflet) is precached, so the app starts without a network: the page
 * is fetched from the network first and from the cache when there is none, the static files from the cache first.
 * API calls are never cached here: reports wait in IndexedDB (app.js), not in the worker.
 */
/* global CACHE, SHELL */
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith("fieldapp-") && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !SHELL.includes(url.pathname)) return;
  if (request.mode === "navigate") {
    event.respondWith(
      fetch(request)
        .then((response) => {
          const copy = response.clone();
          if (response.ok) caches.open(CACHE).then((cache) => cache.put(url.pathname, copy));
          return response;
        })
        .catch(() => caches.match(url.pathname))
    );
    return;
  }
  event.respondWith(caches.match(url.pathname).then((hit) => hit || fetch(request)));
});
