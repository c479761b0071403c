/* The mall's service worker: keeps the member code page and its scripts so the code works with the phone
 * offline (DESIGN.md 12). HQ fills in __VERSION__ (a digest of the assets) and __ASSETS__. */
"use strict";
var CACHE = "pm-mall-__VERSION__";
var ASSETS = __ASSETS__;
var CODE = "/m/code";

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return cache.addAll(ASSETS).then(function () { return keepCode(cache); });
  }).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (n) { return n.indexOf("pm-mall-") === 0 && n !== CACHE; })
      .map(function (n) { return caches.delete(n); }));
  }).then(function () { return self.clients.claim(); }));
});

/* The member code page, if the member is signed in (a redirect to the sign-in page is not kept). */
function keepCode(cache) {
  return fetch(CODE, { credentials: "same-origin", redirect: "manual" }).then(function (r) {
    if (r.ok && r.type === "basic") return cache.put(CODE, r);
  }).catch(function () {});
}

self.addEventListener("fetch", function (event) {
  var req = event.request, url = new URL(req.url);
  if (req.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.match(req, { ignoreSearch: true }).then(function (hit) { return hit || fetch(req); }));
    return;
  }
  if (req.mode !== "navigate" || url.pathname.indexOf("/m") !== 0) return;
  if (url.pathname === CODE) {
    // online: the fresh page (and a copy for later); offline: the copy
    event.respondWith(fetch(req).then(function (r) {
      if (r.ok && !r.redirected) {
        var copy = r.clone();
        caches.open(CACHE).then(function (cache) { cache.put(CODE, copy); });
      }
      return r;
    }).catch(function () {
      return caches.match(CODE).then(function (hit) { return hit || caches.match("/m/offline"); });
    }));
    return;
  }
  event.respondWith(fetch(req).catch(function () { return caches.match("/m/offline"); }));
});
