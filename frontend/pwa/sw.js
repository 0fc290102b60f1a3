// Geleit's service worker: the app (generator, matcher, and the checker's
// page) keeps working with the network off after the first visit.
//
// This is the template; scripts/web-build.sh (frontend/pwa/precache.mjs)
// writes dist/sw.js from it with BUILD (a hash of every file in dist/) and
// PRECACHE (those files' URLs, with `/` for index.html). A new build has a new
// BUILD, so the browser sees a changed sw.js on the next visit and installs it.
//
// - install: precache the whole build under `geleit-<BUILD>`, then take over
//   at once (skipWaiting) instead of waiting for every tab to close;
// - activate: delete the caches of older builds, control open pages (clients.claim);
// - navigations (every app route: /, /generate, /match, /check/<domain>, ...):
//   network first, so a new index.html is seen whenever the site is reachable;
//   without a network, the precached app shell;
// - precached files (hashed wasm/js/css, manifest, icons): cache first;
// - anything else (/dns-query, /api/*, /geleit-config.json, other origins):
//   not touched, straight to the network (DNS answers and probes are live).
'use strict';

const BUILD = '__GELEIT_BUILD__';
const PRECACHE = ['__GELEIT_PRECACHE__'];
const PREFIX = 'geleit-';
const CACHE = PREFIX + BUILD;
const SHELL = '/';
const PRECACHED = new Set(PRECACHE);

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    // `reload`: past the HTTP cache, so the files are this build's.
    await cache.addAll(PRECACHE.map((url) => new Request(url, { cache: 'reload' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    const names = await caches.keys();
    await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === 'navigate') {
    event.respondWith(networkFirst(request));
  } else if (PRECACHED.has(url.pathname) && url.search === '') {
    event.respondWith(cacheFirst(request));
  }
  // Everything else: not answered here, so the browser fetches it as usual.
});

async function networkFirst(request) {
  try {
    return await fetch(request);
  } catch (offline) {
    const shell = await caches.match(SHELL, { cacheName: CACHE });
    if (shell) return shell;
    throw offline;
  }
}

async function cacheFirst(request) {
  const hit = await caches.match(request, { cacheName: CACHE });
  return hit || fetch(request);
}
