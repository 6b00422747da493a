// Yorisoi's service worker: keeps the app shell on the device so the app opens with no network.
//
// The server fills in BUILD (a hash of every file of the build) and PRECACHE (their paths) when it
// starts, so any change in a deploy makes this file differ and the browser installs the new
// version beside the old one. The new version waits until the person accepts the reload the app
// offers; it never takes over a page by itself.

const BUILD = '__YORISOI_BUILD__';
const PRECACHE = ["__YORISOI_PRECACHE__"];
// The files whose name holds a hash of their content (the wasm, its JS, the CSS).
const HASHED = ["__YORISOI_HASHED__"];
const PREFIX = 'yorisoi-shell-';
const CACHE = PREFIX + BUILD;

// A first visit downloads each file once. A content-hashed file is the same bytes whoever
// fetched it, so the copy the page has just downloaded (in the browser's HTTP cache) is taken as
// it is. Every other file is fetched anew ('reload' bypasses the HTTP cache), and index.html must
// name only this build's files: a half-deployed mix of files is never cached, the install fails
// instead and the browser tries again later.
self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      const hashed = new Set(HASHED);
      try {
        await Promise.all(
          PRECACHE.map(async (url) => {
            const response = await fetch(new Request(url, { cache: hashed.has(url) ? 'default' : 'reload' }));
            if (!response.ok) throw new Error(`${url}: ${response.status}`);
            if (url === '/index.html') {
              const text = await response.clone().text();
              // Every path it names: in an attribute, quoted or not (the release build's
              // index.html is minified), or quoted in its inline script (the wasm's path).
              for (const [, named] of text.matchAll(/(?:(?:href|src)=["']?|["'])(\/[^"'\s>]+)/g)) {
                if (!PRECACHE.includes(named)) throw new Error(`index.html names ${named}, not of build ${BUILD}`);
              }
            }
            await cache.put(url, response);
          })
        );
      } catch (error) {
        await caches.delete(CACHE);
        throw error;
      }
    })()
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })()
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  // The API and the health check always go to the network: their answers are never cached here.
  if (url.pathname.startsWith('/api/') || url.pathname === '/healthz') return;
  if (request.mode === 'navigate') {
    // Every page of the app is the same index.html; the app's router shows the right place.
    event.respondWith(fromCache('/index.html').then((hit) => hit || fetch(request)));
    return;
  }
  event.respondWith(fromCache(request).then((hit) => hit || fetch(request)));
});

function fromCache(request) {
  return caches.open(CACHE).then((cache) => cache.match(request));
}
