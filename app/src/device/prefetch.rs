//! A bootstrap's first pages, asked for at sign-in (see [`prefetch_bootstrap`]): the server
//! reads them while the device derives the password's key, and the first sync takes them.
//! The slot is this page's one thread's state (the answers of requests under way), not a way
//! to reach any handle.

use crate::api::{self, ApiError};
use gloo_timers::future::TimeoutFuture;
use std::cell::RefCell;
use std::rc::Rc;
use yorisoi_domain::sync::protocol::FramedPage;

/// A bootstrap's pages, asked for one after another from a sign-in on (see
/// [`prefetch_bootstrap`]): their answers as they came, and who waits for the next.
#[derive(Default)]
pub struct Prefetch {
    answers: std::collections::VecDeque<Result<FramedPage, ApiError>>,
    waiting: Option<std::task::Waker>,
}

pub type Prefetched = Rc<RefCell<Prefetch>>;

/// At most this many pages wait in memory to be stored.
const PREFETCH_AHEAD: usize = 4;

thread_local! {
    static PREFETCH: RefCell<Option<Prefetched>> = const { RefCell::new(None) };
}

/// Starts a bootstrap's pages now, right after a sign-in on a device that holds nothing of this
/// person: the server reads them while the device derives the password's key (which holds the
/// page's one thread for tens of milliseconds) and opens its store, and goes on reading one
/// after another while the device stores them. The first sync takes them if the device does
/// start from a bootstrap, and drops them otherwise (pages asked for and not used cost the
/// server a read; a coach's hand-over in them is sent again by the next pull).
pub async fn prefetch_bootstrap() {
    let slot: Prefetched = Rc::default();
    PREFETCH.with(|p| *p.borrow_mut() = Some(slot.clone()));
    wasm_bindgen_futures::spawn_local(async move {
        let mut after: Option<String> = None;
        loop {
            // Nobody takes them any more (the sync pulls instead, or stopped): stop.
            while slot.borrow().answers.len() >= PREFETCH_AHEAD && Rc::strong_count(&slot) > 1 {
                TimeoutFuture::new(10).await;
            }
            if Rc::strong_count(&slot) == 1 {
                return;
            }
            let answer = api::bootstrap(after.as_deref()).await;
            let next = answer.as_ref().ok().and_then(|page| page.head.next.clone());
            let waiting = {
                let mut prefetch = slot.borrow_mut();
                prefetch.answers.push_back(answer);
                prefetch.waiting.take()
            };
            if let Some(waker) = waiting {
                waker.wake();
            }
            match next {
                Some(next) => after = Some(next),
                // The last page, or an error (the sync reads it and tries again later).
                None => return,
            }
        }
    });
    // The first request goes out before the key derivation holds the thread.
    TimeoutFuture::new(0).await;
}

/// The next page of a prefetched bootstrap, once it came.
pub async fn next_prefetched(slot: &Prefetched) -> Result<FramedPage, ApiError> {
    std::future::poll_fn(|cx| {
        let mut prefetch = slot.borrow_mut();
        match prefetch.answers.pop_front() {
            Some(answer) => std::task::Poll::Ready(answer),
            None => {
                prefetch.waiting = Some(cx.waker().clone());
                std::task::Poll::Pending
            }
        }
    })
    .await
}

/// The pages asked for at sign-in, if any: taken once (a second call gets nothing).
pub fn take() -> Option<Prefetched> {
    PREFETCH.with(|p| p.borrow_mut().take())
}
