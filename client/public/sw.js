// Confab's service worker: keeps the app shell (index.html and its hashed assets) so the app
// opens without a network. API calls and sync sockets are never cached here: the app keeps its
// own data (IndexedDB docs, the last API answers) and works from those while offline.
// The end of a session wipes every cache but this one (client/src/auth/device-data.ts keeps names
// starting with `confab-shell-`): it must never hold anything of a user.
const SHELL = 'confab-shell-v3';
/** Unhashed files of the shell: the install manifest, its icons, the theme's early script. */
const STATIC = ['/manifest.webmanifest', '/icon.svg', '/icon-maskable.svg', '/theme.js'];

async function cacheShell() {
  const cache = await caches.open(SHELL);
  const index = await fetch('/', { cache: 'no-store' });
  const html = await index.clone().text();
  await cache.put('/', index);
  const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
  // The chunks loaded after start (signed-in screens, emoji table), listed by the build.
  const later = await fetch('/shell-assets.json', { cache: 'no-store' }).then((answer) =>
    answer.ok ? answer.json() : [],
  );
  await cache.addAll([...new Set([...assets, ...later]), ...STATIC]);
}

self.addEventListener('install', (event) => {
  event.waitUntil(cacheShell().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(keys.filter((key) => key !== SHELL).map((key) => caches.delete(key))),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith('/api/') || url.pathname.startsWith('/sync/')) return;
  if (request.mode === 'navigate') {
    // Network first, so a deploy reaches users; the cached shell when offline.
    event.respondWith(
      fetch(request)
        .then(async (response) => {
          if (response.ok) await (await caches.open(SHELL)).put('/', response.clone());
          return response;
        })
        .catch(async () => (await caches.match('/')) ?? Response.error()),
    );
    return;
  }
  if (url.pathname.startsWith('/assets/') || STATIC.includes(url.pathname)) {
    // Hashed names never change, and the static files change only with a new worker: cache first.
    event.respondWith(
      caches.match(request).then(
        (cached) =>
          cached ??
          fetch(request).then(async (response) => {
            if (response.ok) await (await caches.open(SHELL)).put(request, response.clone());
            return response;
          }),
      ),
    );
  }
});
