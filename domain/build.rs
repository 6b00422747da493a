//! Compiles the instrument definitions in: every `instruments/*.json` and
//! `instruments/lists/*.json` becomes an `include_str!` in `$OUT_DIR/catalogue.rs`, so adding a
//! definition file needs no Rust code.

use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("instruments");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut out = String::new();
    for (name, dir) in [("DEFINITIONS", root.clone()), ("LISTS", root.join("lists"))] {
        println!("cargo:rerun-if-changed={}", dir.display());
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| entry.expect("a readable entry").path())
            .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
            .collect();
        files.sort();
        out.push_str(&format!("pub(crate) const {name}: &[(&str, &str)] = &[\n"));
        for path in files {
            let file = path
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            out.push_str(&format!(
                "    ({file:?}, include_str!({:?})),\n",
                path.display().to_string()
            ));
        }
        out.push_str("];\n");
    }
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by Cargo")).join("catalogue.rs");
    std::fs::write(target, out).expect("catalogue.rs is written");
}
