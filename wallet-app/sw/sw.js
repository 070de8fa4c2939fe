// Tegoed wallet service worker (hand-written; the build fills in the file list). It keeps the app
// shell so the app, and its QR screen, open without network. API calls always go to the network:
// balances must never come from an old cache here (the app keeps its own last-known copy).
const VERSION = __VERSION__;
const BASE = __BASE__;
const SHELL = __SHELL__;
const CACHE = `tegoed-wallet-${VERSION}`;

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith("tegoed-wallet-") && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || !url.pathname.startsWith(BASE)) return;
  if (request.mode === "navigate") {
    // Network first, so a new version arrives at once; the cached page when offline.
    event.respondWith(fetch(request).catch(() => caches.match(BASE, { cacheName: CACHE }).then((r) => r || Response.error())));
    return;
  }
  event.respondWith(caches.match(request, { cacheName: CACHE }).then((cached) => cached || fetch(request)));
});
