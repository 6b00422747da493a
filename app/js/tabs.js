// Tabs of one browser profile working as one device. Kept in JS because these platform APIs are
// promise- and callback-shaped; the app (app/src/tabs.rs) decides what every message means.
//
// - Web Locks: each tab holds a lock named after its writer id for as long as it lives, so any
//   tab can tell which writers' tabs are gone (the browser releases a closed or crashed tab's
//   locks). One lock elects the tab that talks to the server; when that tab goes, the lock passes
//   to a waiting tab.
// - BroadcastChannel: what the syncing tab tells the others (pulled changes, its status) and
//   what they ask of it (sync now).
// - `storage` events: another tab wrote or removed an entry of localStorage.

const never = () => new Promise(() => {});

export function locksAvailable() {
  return !!(navigator.locks && navigator.locks.request);
}

// Holds the lock `name` until the tab closes; the promise resolves once it is held. Without
// Web Locks (very old browsers) it resolves at once: every tab then syncs for itself.
export function hold(name) {
  return new Promise((resolve) => {
    if (!locksAvailable()) {
      resolve();
      return;
    }
    navigator.locks.request(name, () => {
      resolve();
      return never();
    });
  });
}

// The names of every lock held now, by any tab of this profile.
export async function heldLocks() {
  if (!locksAvailable()) return [];
  const state = await navigator.locks.query();
  return (state.held || []).map((lock) => lock.name);
}

export function openChannel(name, onMessage) {
  if (typeof BroadcastChannel === 'undefined') return null;
  const channel = new BroadcastChannel(name);
  channel.onmessage = (event) => onMessage(event.data);
  return channel;
}

export function post(channel, text) {
  if (channel) channel.postMessage(text);
}

export function onStorage(callback) {
  window.addEventListener('storage', (event) => {
    if (event.storageArea !== window.localStorage || event.key === null) return;
    callback(event.key, event.oldValue, event.newValue);
  });
}

// Runs `callback` when this tab stops being where the person works: hidden, left, or (for two
// windows side by side) another window focused.
export function onLeave(callback) {
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') callback();
  });
  window.addEventListener('pagehide', callback);
  window.addEventListener('blur', callback);
}
