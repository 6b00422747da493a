// The browser's back/forward cache (on in Safari, on the iPad too): a page left for another is
// kept frozen, and shown again as it was when the person goes back. WebKit freezes its IndexedDB
// work with it: a transaction in flight (the database's creation or upgrade, a write) never
// ends while the page is kept, and the app opened again in the same window then waits for it
// forever. WebKit also lets a kept page's Web Locks go without telling it (tabs.js gives them up
// itself). So a page going into the cache aborts its database work and closes its connections,
// and a page coming back out of it loads again from what is stored (every keystroke is already
// there): it never opens anything again behind another page's back. See ARCHITECTURE.md.

const working = new Set();
const connections = new Set();
let kept = false;

// An open request (its upgrade, if any, is a transaction; its connection, once open, is closed
// when the page goes into the cache) or a transaction, from its start until it ends.
export function track(work) {
  if (work instanceof IDBTransaction) {
    if (kept) {
      work.abort();
      return;
    }
    working.add(work);
    const done = () => working.delete(work);
    work.addEventListener('complete', done);
    work.addEventListener('abort', done);
    return;
  }
  work.addEventListener('upgradeneeded', () => {
    if (work.transaction) track(work.transaction);
  });
  work.addEventListener('success', () => {
    if (kept) work.result.close();
    else connections.add(work.result);
  });
}

window.addEventListener('pagehide', (event) => {
  if (!event.persisted) return;
  kept = true;
  for (const transaction of working) {
    try {
      transaction.abort();
    } catch (e) {
      // Already committing: it ends by itself.
    }
  }
  working.clear();
  for (const connection of connections) connection.close();
  connections.clear();
  // Nothing of a client stays on show in the kept page (or its snapshot) until it reloads.
  document.documentElement.style.visibility = 'hidden';
});

window.addEventListener('pageshow', (event) => {
  if (event.persisted) window.location.reload();
});
