// The site's service worker: what it keeps and why is in waystation/core/pwa.py.
"use strict";
const CONFIG = {{ config|safe }};
const SHELL = "ws-shell-" + CONFIG.version;
const PERSONAL = "ws-personal"; // the rider's own pages: dropped on sign-out
const SAVED_AT = "X-Offline-Saved-At";

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL).then((cache) => cache.addAll(CONFIG.precache)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("ws-shell-") && k !== SHELL).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

function personalKey(url) {
  const p = CONFIG.prefixes;
  if (url.pathname.startsWith(p.card)) return url.pathname; // the card page, its QR, its token
  if (url.pathname.startsWith(p.nearest)) return p.nearest; // the last list, whatever the point
  if (url.pathname.startsWith(p.nearest_api)) return p.nearest_api;
  if (url.pathname === CONFIG.home) return CONFIG.home;
  return null;
}

async function stamped(response) {
  // a copy of the answer that remembers when it was saved
  const headers = new Headers(response.headers);
  headers.set(SAVED_AT, new Date().toISOString());
  const body = await response.clone().arrayBuffer();
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}

async function fromCache(request, key, cacheName) {
  const cache = await caches.open(cacheName);
  const hit = (await cache.match(key)) || (await caches.match(key));
  if (!hit) return null;
  const savedAt = hit.headers.get(SAVED_AT) || "";
  const type = hit.headers.get("Content-Type") || "";
  if (request.mode === "navigate" && type.startsWith("text/html")) {
    // the page tells the person it is the saved copy (site.js shows the 离线 banner)
    const html = (await hit.text()).replace("<html ", '<html data-offline-at="' + (savedAt || "unknown") + '" ');
    const headers = new Headers(hit.headers);
    headers.delete("Content-Length");
    return new Response(html, { status: 200, headers });
  }
  return hit;
}

async function tellPage(clientId, savedAt) {
  if (!clientId) return;
  const client = await self.clients.get(clientId);
  if (client) client.postMessage({ type: "offline", savedAt: savedAt || "" });
}

async function networkFirst(event, key) {
  const request = event.request;
  try {
    const response = await fetch(request);
    const cache = await caches.open(PERSONAL);
    if (response.redirected && key.startsWith(CONFIG.prefixes.card)) {
      // signed out (or the session ended): the saved card goes too
      const keys = await cache.keys();
      await Promise.all(keys.filter((r) => new URL(r.url).pathname.startsWith(CONFIG.prefixes.card)).map((r) => cache.delete(r)));
    } else if (response.ok && response.type === "basic" && !response.redirected) {
      await cache.put(key, await stamped(response));
    }
    return response;
  } catch (err) {
    const saved = await fromCache(request, key, PERSONAL);
    if (saved) {
      if (request.mode !== "navigate") event.waitUntil(tellPage(event.clientId, saved.headers.get(SAVED_AT)));
      return saved;
    }
    if (request.mode === "navigate") return offlinePage();
    throw err;
  }
}

async function offlinePage() {
  const page = await caches.match(CONFIG.offline_url);
  if (!page) return Response.error();
  const html = (await page.text()).replace("<html ", '<html data-offline-at="" ');
  return new Response(html, { status: 503, headers: { "Content-Type": "text/html; charset=utf-8" } });
}

async function cacheFirst(request) {
  const hit = await caches.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  if (response.ok && response.type === "basic") {
    const cache = await caches.open(SHELL);
    await cache.put(request, response.clone());
  }
  return response;
}

async function networkOnly(request) {
  try {
    return await fetch(request);
  } catch (err) {
    if (request.mode === "navigate") return offlinePage();
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return; // another site's file: the browser's business
  if (CONFIG.sign_out.some((p) => url.pathname.startsWith(p))) {
    event.respondWith(caches.delete(PERSONAL).then(() => networkOnly(request)));
    return;
  }
  if (request.method !== "GET") return;
  if (CONFIG.never.some((p) => url.pathname.startsWith(p))) {
    event.respondWith(networkOnly(request));
    return;
  }
  if (url.pathname.startsWith(CONFIG.static_prefix)) {
    event.respondWith(cacheFirst(request));
    return;
  }
  const key = personalKey(url);
  if (key) {
    event.respondWith(networkFirst(event, key));
    return;
  }
  if (request.mode === "navigate") event.respondWith(networkOnly(request));
});
