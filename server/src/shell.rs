//! Serving the built app (the "shell"): hashed assets with a long immutable cache, `index.html`
//! and the service worker with `no-cache`, unknown paths without a file extension answered by
//! `index.html` so the app's own router can take them.
//!
//! The service worker's precache list and cache name are filled in here, at start, from the
//! files actually in the dist folder: whatever changes in a deploy changes the build id, so the
//! browser sees a new service worker and the app offers the update.

use axum::http::HeaderValue;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const SW_FILE: &str = "sw.js";
const BUILD_PLACEHOLDER: &str = "__YORISOI_BUILD__";
const PRECACHE_PLACEHOLDER: &str = "[\"__YORISOI_PRECACHE__\"]";
const HASHED_PLACEHOLDER: &str = "[\"__YORISOI_HASHED__\"]";
pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub(crate) const REVALIDATE: &str = "no-cache";

#[derive(Debug)]
pub struct Shell {
    pub(crate) dist: PathBuf,
    pub(crate) build: Option<Build>,
    /// The `Content-Security-Policy` every response carries (`security.rs`).
    csp: HeaderValue,
}

#[derive(Debug)]
pub(crate) struct Build {
    id: String,
    pub(crate) service_worker: String,
}

impl Shell {
    /// Reads the dist folder once. A missing or incomplete build is logged and the API still
    /// serves; the app's pages answer 503 until the app is built.
    pub fn load(dist: &Path) -> Self {
        let build = match Build::read(dist) {
            Ok(build) => {
                tracing::info!(dist = %dist.display(), build = %build.id, "app build loaded");
                Some(build)
            }
            Err(e) => {
                tracing::warn!(dist = %dist.display(), "no app to serve ({e}); build it with `cargo xtask serve`");
                None
            }
        };
        let index = std::fs::read_to_string(dist.join("index.html")).unwrap_or_default();
        let csp = HeaderValue::from_str(&content_security_policy(&index))
            .expect("a policy of ASCII words and base64 hashes is a valid header");
        Self {
            dist: dist.to_owned(),
            build,
            csp,
        }
    }

    /// The `Content-Security-Policy` for this build's pages (and every other answer).
    pub fn csp(&self) -> &HeaderValue {
        &self.csp
    }

    /// A short hash of every file of the build, or `None` when there is no build.
    pub fn build_id(&self) -> Option<&str> {
        self.build.as_ref().map(|b| b.id.as_str())
    }
}

impl Build {
    fn read(dist: &Path) -> std::io::Result<Self> {
        let template = std::fs::read_to_string(dist.join(SW_FILE))?;
        if !dist.join("index.html").is_file() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "index.html missing",
            ));
        }
        let mut files = Vec::new();
        list_files(dist, dist, &mut files)?;
        files.retain(|f| f != SW_FILE);
        files.sort();
        let mut hasher = Sha256::new();
        for file in &files {
            hasher.update(file.as_bytes());
            hasher.update([0]);
            hasher.update(std::fs::read(dist.join(file))?);
        }
        let digest = hasher.finalize();
        let id: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let precache: Vec<String> = files.iter().map(|f| format!("/{f}")).collect();
        let hashed: Vec<&String> = precache
            .iter()
            .filter(|f| {
                !f.contains("/snippets/")
                    && is_hashed_asset(f.rsplit('/').next().unwrap_or_default())
            })
            .collect();
        let hashed = serde_json::to_string(&hashed).map_err(std::io::Error::other)?;
        let precache = serde_json::to_string(&precache).map_err(std::io::Error::other)?;
        let service_worker = template
            .replace(BUILD_PLACEHOLDER, &id)
            .replace(PRECACHE_PLACEHOLDER, &precache)
            .replace(HASHED_PLACEHOLDER, &hashed);
        Ok(Self { id, service_worker })
    }
}

/// The policy for the app: its own files only; scripts from this origin or the inline scripts
/// of this very `index.html` (Trunk's loader, the shell's "could not open" script), each by the
/// SHA-256 of its text, so no other inline script runs; `'wasm-unsafe-eval'` to compile the
/// WebAssembly and nothing else that evaluates code. Styles from this origin only: the app sets
/// no inline `style` (neither in its markup nor through Leptos' `style:`), so none is allowed.
/// Images may also be `data:` URLs (the enrolment QR code is one). No framing, no plugins, no
/// `<base>`, forms post to this origin.
pub fn content_security_policy(index_html: &str) -> String {
    use base64::Engine;
    let hashes: String = inline_scripts(index_html)
        .iter()
        .map(|script| {
            let digest = Sha256::digest(script.as_bytes());
            format!(
                " 'sha256-{}'",
                base64::engine::general_purpose::STANDARD.encode(digest)
            )
        })
        .collect();
    format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; \
         frame-ancestors 'none'"
    )
}

/// The text of every `<script>` element without a `src`, exactly as written (what a CSP hash
/// covers).
fn inline_scripts(html: &str) -> Vec<&str> {
    let lower = html.to_ascii_lowercase();
    let mut scripts = Vec::new();
    let mut from = 0;
    while let Some(start) = lower[from..].find("<script").map(|i| from + i) {
        let Some(tag_end) = lower[start..].find('>').map(|i| start + i) else {
            break;
        };
        let Some(close) = lower[tag_end..].find("</script").map(|i| tag_end + i) else {
            break;
        };
        if !lower[start..tag_end].contains("src=") {
            scripts.push(&html[tag_end + 1..close]);
        }
        from = close;
    }
    scripts
}

/// Every file under `dir`, as a `/`-separated path relative to `root`.
fn list_files(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            list_files(root, &path, out)?;
        } else if let Ok(relative) = path.strip_prefix(root) {
            let parts: Vec<_> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            out.push(parts.join("/"));
        }
    }
    Ok(())
}

/// Trunk names built assets `name-<hash>.ext` (the wasm `name-<hash>_bg.wasm`), the hash a
/// 64-bit number in hex without leading zeros (so 16 digits or, one build in sixteen, fewer);
/// their content never changes under the same name, so browsers may keep them for a year.
pub(crate) fn is_hashed_asset(file_name: &str) -> bool {
    let stem = file_name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    match stem.rsplit_once('-') {
        Some((name, hash)) => {
            !name.is_empty()
                && (12..=16).contains(&hash.len())
                && hash.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::{content_security_policy, inline_scripts, is_hashed_asset};

    #[test]
    fn inline_scripts_are_hashed_into_the_policy_and_scripts_with_a_source_are_not() {
        let html = "<head><script type=\"module\">import init from '/a.js';await init();</script>\
            <SCRIPT src=\"/b.js\"></SCRIPT></head><body><script>(function(){})()</script></body>";
        assert_eq!(
            inline_scripts(html),
            ["import init from '/a.js';await init();", "(function(){})()"]
        );
        let csp = content_security_policy(html);
        // `echo -n "(function(){})()" | openssl dgst -sha256 -binary | base64`
        assert!(
            csp.contains("'sha256-LG8MLlRLJqaeS84HDT6rhkfK9ckncOJZbBTNKOGqPwU='"),
            "{csp}"
        );
        assert_eq!(csp.matches("'sha256-").count(), 2, "{csp}");
        assert!(!csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"));
    }

    #[test]
    fn trunk_hashed_names_are_recognised_and_plain_names_are_not() {
        for (name, hashed) in [
            ("yorisoi-app-1a2b3c4d5e6f7a8b.js", true),
            ("yorisoi-app-1a2b3c4d5e6f7a8b_bg.wasm", true),
            // A hash with a leading zero is printed one digit short.
            ("yorisoi-app-ff0c9ecb2c72b3b_bg.wasm", true),
            ("main-0123456789abcdef.css", true),
            ("index.html", false),
            ("sw.js", false),
            ("manifest.webmanifest", false),
            ("icon-192.png", false),
            ("yorisoi-app-notahash00000000.js", false),
        ] {
            assert_eq!(is_hashed_asset(name), hashed, "{name}");
        }
    }
}
