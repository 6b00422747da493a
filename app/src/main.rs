//! The app's entry point; everything lives in the library so that tests can reach it.

fn main() {
    yorisoi_app::start();
}
