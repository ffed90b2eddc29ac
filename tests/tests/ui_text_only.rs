//! Whatever text reaches the page is inserted as text, never as markup: no file in `ui/` uses
//! an HTML or code sink, the page has no inline script or handler, and the signal's name and
//! birthdate are written with `text:` (which `dom.js` turns into `textContent`). The CSP
//! (checked by `config_gates.rs`) would block inline script as a second line.

use std::path::{Path, PathBuf};

fn ui_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().join("ui")
}

fn ui_file(name: &str) -> String {
    std::fs::read_to_string(ui_dir().join(name)).unwrap_or_else(|e| panic!("ui/{name}: {e}"))
}

/// Sinks that turn a string into markup or code.
const SINKS: [&str; 14] = [
    "innerHTML",
    "outerHTML",
    "insertAdjacentHTML",
    "document.write",
    "DOMParser",
    "createContextualFragment",
    "srcdoc",
    "eval(",
    "new Function",
    "Function(",
    "javascript:",
    "setAttribute(\"on",
    "setAttribute('on",
    "import(",
];

/// The sinks found in `text`, with the line they are on.
fn sinks_in(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (number, line) in text.lines().enumerate() {
        for sink in SINKS {
            if line.contains(sink) {
                found.push(format!("line {}: {sink}", number + 1));
            }
        }
        // setTimeout / setInterval with a string instead of a function.
        for timer in ["setTimeout(", "setInterval("] {
            if let Some(rest) = line.split(timer).nth(1) {
                if rest.trim_start().starts_with(['"', '\'', '`']) {
                    found.push(format!("line {}: {timer} with a string", number + 1));
                }
            }
        }
    }
    found
}

#[test]
fn no_file_in_ui_turns_text_into_markup_or_code() {
    let mut checked = 0;
    for entry in std::fs::read_dir(ui_dir()).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !(name.ends_with(".js") || name.ends_with(".html")) {
            continue;
        }
        let found = sinks_in(&std::fs::read_to_string(&path).unwrap());
        assert!(found.is_empty(), "ui/{name}: {found:#?}");
        checked += 1;
    }
    assert!(checked >= 4, "only {checked} files checked");

    let html = ui_file("index.html");
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty());
    for script in scripts {
        let tag = script.split('>').next().unwrap_or_default();
        assert!(tag.contains("src="), "an inline script in index.html: <script{tag}>");
    }
    let lower = html.to_lowercase();
    for handler in [" onclick=", " onload=", " onerror=", " oninput=", " onsubmit=", " onfocus="] {
        assert!(!lower.contains(handler), "an inline handler in index.html: {handler}");
    }
}

#[test]
fn the_signal_is_written_as_text() {
    let dom = ui_file("dom.js");
    assert!(dom.contains("if (key === \"text\") node.textContent = value;"), "dom.js writes `text` as textContent");
    assert!(
        dom.contains("else if (key.startsWith(\"on\")) node.addEventListener(key.slice(2), value);"),
        "dom.js binds on* keys as listeners, never as attributes"
    );
    let app = ui_file("app.js");
    for field in ["text: signal.name", "signal.birthdate", "signal.age"] {
        let line = app.lines().find(|l| l.contains(field)).unwrap_or_else(|| panic!("app.js shows {field}"));
        assert!(line.contains("text:"), "app.js writes {field} other than as text: {line}");
    }
}

#[test]
fn the_check_finds_each_sink() {
    for bad in [
        "node.innerHTML = signal.name;",
        "x.insertAdjacentHTML('beforeend', s)",
        "setTimeout(\"go()\", 10)",
        "a.href = 'javascript:alert(1)'",
        "el.setAttribute(\"onclick\", s)",
        "const f = new Function(s)",
    ] {
        assert!(!sinks_in(bad).is_empty(), "not found: {bad}");
    }
    assert!(sinks_in("setTimeout(() => go(), 10); node.textContent = s;").is_empty());
}
