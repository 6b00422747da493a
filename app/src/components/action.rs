//! The views' actions: Leptos's `Action`, with each call's future boxed. Leptos compiles its
//! action machinery (the spawned task, the scoped and send-wrapped future) once per future
//! type; an `async` block is a type of its own at every call site, a boxed future one type per
//! outcome. So every action of the views with the same outcome shares one copy (see
//! BENCHMARKS.md, the app's size).

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
