//! Accessibility checks with axe-core (npm, pinned in tools/package.json), run inside the page
//! the browser shows.

use crate::Browser;
use serde_json::Value;

/// How many of a violation's elements a report line names.
const TARGETS_SHOWN: usize = 3;

/// Runs axe-core on the current page and returns one readable line per violation whose impact is
/// "serious" or "critical" (rule, impact, what to do, the first few elements, and why they fail).
/// Empty when there is none.
pub async fn serious_violations(browser: &Browser) -> Vec<String> {
    let path = crate::root().join("tools/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run `cargo xtask test`, which installs it",
            path.display()
        )
    });
    // The file is a UMD bundle that attaches `axe` to `window`; run as a script body, it does.
    // A page keeps it across checks until it navigates, so inject only where it is missing.
    let present = browser
        .eval("return typeof window.axe === 'object';", vec![])
        .await;
    if present != Value::Bool(true) {
        browser.eval(&source, vec![]).await;
    }
    let script = "const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ['violations'] })
            .then(r => done({ ok: r.violations.map(v => ({
                id: v.id,
                impact: v.impact,
                help: v.help,
                targets: v.nodes.map(n => n.target.flat().join(' ')),
                summaries: [...new Set(v.nodes.map(n => n.failureSummary || ''))],
            })) }))
            .catch(e => done({ error: String(e && e.stack || e) }));";
    let result = browser.eval_async(script).await;
    if let Some(error) = result.get("error") {
        panic!("axe.run failed: {error}");
    }
    let violations = result["ok"]
        .as_array()
        .unwrap_or_else(|| panic!("axe.run returned {result}"));
    violations
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(describe)
        .collect()
}

fn describe(violation: &Value) -> String {
    let text = |key: &str| violation[key].as_str().unwrap_or_default().to_owned();
    let targets: Vec<&str> = violation["targets"]
        .as_array()
        .map(|all| all.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut shown = targets
        .iter()
        .take(TARGETS_SHOWN)
        .map(|t| format!("`{t}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if targets.len() > TARGETS_SHOWN {
        shown.push_str(&format!(" and {} more", targets.len() - TARGETS_SHOWN));
    }
    // Why the elements fail, each distinct reason once, on one line.
    let summary = violation["summaries"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter_map(Value::as_str)
                .map(|s| {
                    s.lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect::<Vec<_>>()
                .join(" | ")
        })
        .unwrap_or_default();
    format!(
        "{} ({}): {} — {shown} — {summary}",
        text("id"),
        text("impact"),
        text("help"),
    )
}
