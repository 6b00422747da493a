//! The views' actions and resources: Leptos's `Action` and `LocalResource`, with each call's
//! future boxed. Leptos compiles its action and resource machinery (the spawned task, the scoped
//! and send-wrapped future, the async memo) once per future type; an `async` block is a type of
//! its own at every call site, a boxed future one type per outcome. So every action or resource
//! of the views with the same outcome shares one copy (see BENCHMARKS.md, the app's size).

use futures_util::future::LocalBoxFuture;
use leptos::prelude::*;

/// [`Action::new_local`], the future `run` makes for each input boxed.
pub fn local_action<I, O, Fu>(run: impl Fn(&I) -> Fu + 'static) -> Action<I, O>
where
    I: 'static,
    O: 'static,
    Fu: Future<Output = O> + 'static,
{
    Action::new_local(move |input: &I| -> LocalBoxFuture<'static, O> { Box::pin(run(input)) })
}

/// [`LocalResource::new`], the future `fetch` makes for each run boxed.
pub fn local_resource<T, Fu>(fetch: impl Fn() -> Fu + 'static) -> LocalResource<T>
where
    T: 'static,
    Fu: Future<Output = T> + 'static,
{
    LocalResource::new(move || -> LocalBoxFuture<'static, T> { Box::pin(fetch()) })
}
