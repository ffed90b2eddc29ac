//! Gates on both apps' Tauri configuration (the school's `src-tauri/`, the office's `office/`),
//! read from the files as they ship: no devtools in a release build, a CSP without inline or
//! eval script and without any remote origin, no permission beyond each app's own commands, and
//! no way for the web view to leave the bundled files (the window both build through
//! `crates/desktop-shell`). Each failure says what is wrong and in which file. (That the window
//! really refuses to navigate away is proved in a real window by `app_window.rs`.)

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// The two desktop apps' folders.
const APPS: [&str; 2] = ["src-tauri", "office"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn tauri_conf(app: &str) -> Value {
    serde_json::from_str(&read(&repo().join(app).join("tauri.conf.json"))).expect("tauri.conf.json is JSON")
}

/// The CSP's directives: name → sources.
fn directives(csp: &str) -> Vec<(String, Vec<String>)> {
    csp.split(';')
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .map(|d| {
            let mut words = d.split_whitespace().map(str::to_string);
            (words.next().unwrap_or_default().to_ascii_lowercase(), words.collect())
        })
        .collect()
}

/// What is wrong with a CSP, one sentence per problem.
fn csp_problems(csp: &str) -> Vec<String> {
    let directives = directives(csp);
    let mut problems = Vec::new();
    let get = |name: &str| directives.iter().find(|(n, _)| n == name).map(|(_, s)| s.clone());
    for required in ["default-src", "script-src", "object-src", "base-uri", "form-action", "frame-ancestors"] {
        if get(required).is_none() {
            problems.push(format!("{required} is missing"));
        }
    }
    for must_be_none in ["object-src", "base-uri", "form-action", "frame-ancestors"] {
        if let Some(sources) = get(must_be_none) {
            if sources != ["'none'"] {
                problems.push(format!("{must_be_none} must be 'none', is {sources:?}"));
            }
        }
    }
    // Scripts come from the bundle only: falls back to default-src when script-src is absent.
    let script = get("script-src").or_else(|| get("default-src")).unwrap_or_default();
    for source in &script {
        let s = source.to_ascii_lowercase();
        if ["'unsafe-inline'", "'unsafe-eval'", "'wasm-unsafe-eval'", "'unsafe-hashes'", "data:", "blob:"]
            .contains(&s.as_str())
        {
            problems.push(format!("script-src allows {source}"));
        }
    }
    // No remote origin anywhere. Allowed: 'self', 'none', and the IPC channel Tauri needs.
    const LOCAL: [&str; 4] = ["'self'", "'none'", "ipc:", "http://ipc.localhost"];
    for (name, sources) in &directives {
        for source in sources {
            let s = source.to_ascii_lowercase();
            let remote = s.contains('*')
                || s.starts_with("http:")
                || s.starts_with("https:")
                || s.starts_with("ws:")
                || s.starts_with("wss:")
                || s.contains("://")
                || s == "data:" && name != "img-src"
                || s == "blob:"
                || s == "filesystem:";
            if remote && !LOCAL.contains(&s.as_str()) {
                problems.push(format!("{name} allows {source}"));
            }
            if s.starts_with("'unsafe-") {
                problems.push(format!("{name} allows {source}"));
            }
        }
    }
    problems
}

/// The app's own commands, as `build.rs` declares them to Tauri.
fn own_commands(app: &str) -> BTreeSet<String> {
    let build = read(&repo().join(app).join("build.rs"));
    let list = build.split("const COMMANDS: &[&str] = &[").nth(1).and_then(|r| r.split("];").next()).unwrap_or("");
    list.split(',').map(|c| c.trim().trim_matches('"').to_string()).filter(|c| !c.is_empty()).collect()
}

/// Every permission granted by every capability file, with its file.
fn granted_permissions(app: &str) -> Vec<(String, Value)> {
    let mut granted = Vec::new();
    let dir = repo().join(app).join("capabilities");
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let capability: Value = serde_json::from_str(&read(&path)).expect("capability is JSON");
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        assert!(capability.get("remote").is_none(), "{file}: a capability for remote URLs");
        for permission in capability["permissions"].as_array().cloned().unwrap_or_default() {
            granted.push((file.clone(), permission));
        }
    }
    granted
}

#[test]
fn the_csp_allows_no_inline_or_eval_script_and_no_remote_origin() {
    for app in APPS {
        let conf = tauri_conf(app);
        let security = &conf["app"]["security"];
        let csp = security["csp"].as_str().expect("tauri.conf.json: app.security.csp must be set (a string)");
        let problems = csp_problems(csp);
        assert!(problems.is_empty(), "{app}/tauri.conf.json app.security.csp: {problems:#?}");
        if let Some(dev) = security.get("devCsp").and_then(Value::as_str) {
            let problems = csp_problems(dev);
            assert!(problems.is_empty(), "{app}/tauri.conf.json app.security.devCsp: {problems:#?}");
        }
        for key in ["dangerousDisableAssetCspModification", "dangerousRemoteDomainIpcAccess"] {
            assert!(security.get(key).is_none(), "{app}/tauri.conf.json app.security.{key} must not be set");
        }
        assert_eq!(
            security["freezePrototype"],
            Value::Bool(true),
            "{app}/tauri.conf.json: freezePrototype must be true"
        );
        let asset = &security["assetProtocol"]["enable"];
        assert!(
            asset.is_null() || *asset == Value::Bool(false),
            "{app}/tauri.conf.json: the asset protocol must stay off"
        );
    }
}

#[test]
fn the_csp_gate_refuses_what_it_should() {
    // The gate itself, on known-bad policies: each must be refused.
    let good = "default-src 'self'; script-src 'self'; connect-src ipc: http://ipc.localhost; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    assert_eq!(csp_problems(good), Vec::<String>::new());
    for bad in [
        good.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'"),
        good.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'"),
        good.replace("script-src 'self'", "script-src 'self' data:"),
        good.replace("script-src 'self'", "script-src 'self' https://cdn.example.org"),
        good.replace("connect-src ipc:", "connect-src https://relay.example.org ipc:"),
        good.replace("default-src 'self'", "default-src *"),
        good.replace("; object-src 'none'", ""),
        good.replace("frame-ancestors 'none'", "frame-ancestors 'self'"),
        good.replace("script-src 'self'; ", ""),
    ] {
        assert!(!csp_problems(&bad).is_empty(), "not refused: {bad}");
    }
}

#[test]
fn the_web_view_gets_the_apps_own_commands_and_nothing_else() {
    for app in APPS {
        own_commands_only(app);
    }
}

fn own_commands_only(app: &str) {
    let commands = own_commands(app);
    assert!(commands.len() >= 5, "{app}/build.rs declares only {commands:?}");
    let allowed: BTreeSet<String> = commands.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    let mut granted = BTreeSet::new();
    for (file, permission) in granted_permissions(app) {
        let Some(name) = permission.as_str() else {
            panic!("{app}/capabilities/{file}: a scoped permission {permission}: the app grants none");
        };
        assert!(
            allowed.contains(name),
            "{app}/capabilities/{file}: {name} is not one of the app's own commands (no core, plugin or other permission)"
        );
        granted.insert(name.to_string());
    }
    assert_eq!(granted, allowed, "{app}: every command the app declares is granted, and only those");
}

#[test]
fn no_devtools_no_global_tauri_and_only_the_bundled_files() {
    for (app, dist) in [("src-tauri", Value::String("../ui".into())), ("office", office_dist())] {
        let conf = tauri_conf(app);
        assert_eq!(
            conf["app"]["withGlobalTauri"],
            Value::Bool(false),
            "{app}/tauri.conf.json: withGlobalTauri must be false"
        );
        assert_eq!(
            conf["build"]["frontendDist"], dist,
            "{app}/tauri.conf.json: the page comes from the app's own files"
        );
        assert!(conf["build"].get("devUrl").is_none(), "{app}/tauri.conf.json: no devUrl (no page from a server)");
        let windows = conf["app"]["windows"].as_array().cloned().unwrap_or_default();
        assert!(windows.is_empty(), "{app}/tauri.conf.json: the window is built in code (LockedWindow), not here");
        // Devtools exist in a release build only with tauri's `devtools` feature.
        let cargo = read(&repo().join(app).join("Cargo.toml"));
        assert!(!cargo.contains("devtools"), "{app}/Cargo.toml: the devtools feature must not be enabled");
        // Every window of the app is the shared locked-down one.
        let mut locked = false;
        for file in std::fs::read_dir(repo().join(app).join("src")).unwrap() {
            let path = file.unwrap().path();
            let text = read(&path);
            locked |= text.contains("LockedWindow {");
            assert!(!text.contains("WebviewWindowBuilder"), "{}: a window not built by LockedWindow", path.display());
            assert!(
                !text.contains("open_devtools") && !text.contains(".devtools(true)"),
                "{}: opens devtools",
                path.display()
            );
        }
        assert!(locked, "{app}/src: the window must be a hwc_desktop_shell::LockedWindow");
    }
    // The shared window refuses other pages and new windows, and never opens devtools.
    let shell = read(&repo().join("crates/desktop-shell/src/lib.rs"));
    assert!(
        shell.contains(".on_navigation(is_bundled_page)"),
        "crates/desktop-shell/src/lib.rs: navigation must be limited to the bundle"
    );
    assert!(
        shell.contains(".on_new_window(|_, _| NewWindowResponse::Deny)"),
        "crates/desktop-shell/src/lib.rs: new windows must be refused"
    );
    assert!(!shell.contains("open_devtools") && !shell.contains(".devtools(true)"), "desktop-shell opens devtools");
}

/// The office's page: its own folder and the school's shared pieces, nothing from elsewhere.
fn office_dist() -> Value {
    serde_json::json!(["ui", "../ui/dom.js", "../ui/ipc.js", "../ui/style.css"])
}
