// Service worker glue for the Rust app: registration, update detection, and the browser's
// storage-persistence API. Kept in JS because these APIs are callback- and promise-shaped; the
// app decides what to show.

let applying = false;

export function registerServiceWorker(onUpdateReady) {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.addEventListener('controllerchange', () => {
    // Reload only when this tab asked for the update: never under someone's fingers.
    if (applying) window.location.reload();
  });
  navigator.serviceWorker
    .register('/sw.js', { updateViaCache: 'none' })
    .then((registration) => {
      const offerIfWaiting = () => {
        if (registration.waiting && navigator.serviceWorker.controller) onUpdateReady();
      };
      offerIfWaiting();
      registration.addEventListener('updatefound', () => {
        const worker = registration.installing;
        if (!worker) return;
        worker.addEventListener('statechange', () => {
          if (worker.state === 'installed') offerIfWaiting();
        });
      });
      // Look for a new deploy when the tab comes back, when the network returns, and hourly.
      const check = () => registration.update().catch(() => {});
      document.addEventListener('visibilitychange', () => {
        if (document.visibilityState === 'visible') check();
      });
      window.addEventListener('online', check);
      setInterval(check, 60 * 60 * 1000);
    })
    .catch((error) => console.warn('service worker not registered:', error));
}

export function applyUpdate() {
  navigator.serviceWorker.getRegistration().then((registration) => {
    if (registration && registration.waiting) {
      applying = true;
      registration.waiting.postMessage({ type: 'SKIP_WAITING' });
    }
  });
}

// A revoked or retired device: its offline copy goes too (every cache of this origin and the
// service worker). The app registers a fresh worker when it next starts online.
export async function removeOfflineCopy() {
  if (self.caches) {
    for (const name of await caches.keys()) await caches.delete(name);
  }
  if ('serviceWorker' in navigator) {
    for (const registration of await navigator.serviceWorker.getRegistrations()) {
      await registration.unregister();
    }
  }
}
