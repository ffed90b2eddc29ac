//! The app's Windows installer, `HwC School_<version>_x64-setup.exe`, made on this Linux
//! machine with Debian's `makensis` instead of the Tauri bundler. The bundler downloads its NSIS
//! plugin (`nsis_tauri_utils.dll`) from GitHub, which the build machines cannot reach. So this
//! does what the bundler's NSIS step does (tauri-bundler [`TAURI_BUNDLER`],
//! `src/bundle/windows/nsis/mod.rs`) with the files in `installer/windows/nsis/` (see its
//! `NOTICE.md`): it renders Tauri's own template with the `handlebars` crate, with the same
//! escaping and helpers and the data the bundler would give it, taken from
//! `src-tauri/tauri.conf.json`; it builds a stand-in for the plugin from C; and it supplies
//! `Win/RestartManager.nsh`, which Debian's NSIS 3.08 lacks.
//!
//! As with the bundler, the work folder is `<release folder>/nsis/x64/` and the installer goes
//! into `<release folder>/bundle/nsis/`. The app's executable is copied into the work folder
//! and marked there as installed by NSIS (the bundler marks the built file itself).
//! Where this differs from the bundler: the installer's icon is the `.ico` of `bundle.icon`
//! unless `bundle.windows.nsis.installerIcon` names one (the bundler uses NSIS's own icon then),
//! and what the bundler would download while building (WebView2 installers) or sign is
//! refused with a message.

use anyhow::{bail, Context, Result};
use handlebars::{Context as HbContext, Handlebars, Helper, HelperResult, Output, RenderContext, RenderErrorReason};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// What making the installer needs from Debian: `makensis`, NSIS's plugin API and the 32-bit
/// MinGW-w64 compiler for the plugin (NSIS plugins are 32-bit, x86-unicode).
pub const PACKAGES: &[&str] = &["nsis", "nsis-pluginapi", "gcc-mingw-w64-i686"];

/// The version of tauri-bundler whose template is in `installer/windows/nsis/tauri/`.
pub const TAURI_BUNDLER: &str = "2.10.4";

/// The installer's sources, from the workspace root.
const SOURCES: &str = "installer/windows/nsis";

/// The app's executable without `.exe` (src-tauri's `[[bin]]`), unless tauri.conf.json names
/// another in `mainBinaryName`.
const MAIN_BINARY: &str = "hwc-school";

/// Beside the executable in a `-gnu` build; installed beside it, as the bundler does.
const WEBVIEW2_LOADER: &str = "WebView2Loader.dll";

/// The bundle type as Tauri builds it into the executable, and as the bundler sets it for an
/// NSIS installer (read by the Tauri runtime, e.g. by its updater).
const BUNDLE_TYPE_UNKNOWN: &[u8] = b"__TAURI_BUNDLE_TYPE_VAR_UNK";
const BUNDLE_TYPE_NSIS: &[u8] = b"__TAURI_BUNDLE_TYPE_VAR_NSS";

/// Only 64-bit Windows.
const ARCH: &str = "x64";

/// What makensis writes in the work folder (the bundler's name).
const OUT_FILE: &str = "nsis-output.exe";

/// Settings the bundler would act on that this route does not carry out.
const UNSUPPORTED: &[(&str, &str)] = &[
    ("/bundle/resources", "extra bestanden"),
    ("/bundle/externalBin", "extra programma's"),
    ("/bundle/fileAssociations", "bestandskoppelingen"),
    ("/bundle/licenseFile", "een licentiepagina"),
    ("/bundle/windows/signCommand", "ondertekenen"),
    ("/bundle/windows/certificateThumbprint", "ondertekenen"),
    ("/bundle/windows/nsis/template", "een eigen sjabloon"),
    ("/bundle/windows/nsis/customLanguageFiles", "eigen taalbestanden"),
    ("/plugins/deep-link", "deep links"),
];

/// Images the bundler passes on from `bundle.windows.nsis` (config key, template key).
const NSIS_IMAGES: &[(&str, &str)] = &[
    ("headerImage", "header_image"),
    ("sidebarImage", "sidebar_image"),
    ("uninstallerIcon", "uninstaller_icon"),
    ("uninstallerHeaderImage", "uninstaller_header_image"),
];

/// Where the files the script names are, in and beside the work folder.
struct Staged {
    work: PathBuf,
    plugins: PathBuf,
    exe: PathBuf,
    loader: PathBuf,
    /// Of the executable and the loader, in KiB (the bundler's "estimated size").
    estimated_size: u64,
}

/// Makes the installer of the Windows release build in `exe_dir` (which holds the app's
/// `.exe` and `WebView2Loader.dll`) and returns its path.
pub fn build(root: &Path, exe_dir: &Path) -> Result<PathBuf> {
    crate::system_packages::ensure(PACKAGES)?;
    let sources = root.join(SOURCES);
    let tauri_dir = root.join("src-tauri");
    let config = read_config(&tauri_dir)?;
    refuse_unsupported(&config)?;
    let plugins = exe_dir.join("nsis/plugin");
    build_plugin(&sources.join("plugin/nsis_tauri_utils.c"), &plugins)?;
    let work = exe_dir.join("nsis").join(ARCH);
    fresh_dir(&work)?;
    let staged = stage_app(&config, exe_dir, &work, plugins)?;
    let data = template_data(&config, &tauri_dir, &staged)?;
    write_includes(&sources.join("tauri"), &work, &data)?;
    let template = read_text(&sources.join("tauri/installer.nsi"))?;
    write_with_bom(&work.join("installer.nsi"), render(&template, &data)?.as_bytes())?;
    makensis(&work, &sources.join("include"))?;
    let setup = exe_dir.join("bundle/nsis").join(setup_name(&data)?);
    let parent = setup.parent().context("map van het installatieprogramma")?;
    std::fs::create_dir_all(parent).with_context(|| format!("kon {} niet maken", parent.display()))?;
    std::fs::rename(work.join(OUT_FILE), &setup)
        .with_context(|| format!("makensis maakte geen {} in {}", OUT_FILE, work.display()))?;
    Ok(setup)
}

fn read_config(tauri_dir: &Path) -> Result<Value> {
    let path = tauri_dir.join("tauri.conf.json");
    serde_json::from_str(&read_text(&path)?).with_context(|| format!("{} is geen geldige JSON", path.display()))
}

fn refuse_unsupported(config: &Value) -> Result<()> {
    for (pointer, what) in UNSUPPORTED {
        if config.pointer(pointer).is_some_and(is_set) {
            bail!(
                "tauri.conf.json vraagt {what} ({pointer}); het Windows-installatieprogramma van cargo xtask \
                 (xtask/src/package/nsis.rs) kan dat niet"
            );
        }
    }
    Ok(())
}

/// Neither null, `false`, nor an empty list or object.
fn is_set(value: &Value) -> bool {
    match value {
        Value::Null | Value::Bool(false) => false,
        Value::Array(list) => !list.is_empty(),
        Value::Object(map) => !map.is_empty(),
        _ => true,
    }
}

/// Builds the plugin DLL from `source` into `dir`, every time (it takes a second).
fn build_plugin(source: &Path, dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("kon {} niet maken", dir.display()))?;
    let status = Command::new("i686-w64-mingw32-gcc")
        .args(["-O2", "-Wall", "-Werror", "-shared", "-s", "-static-libgcc", "-D_WIN32_WINNT=0x0601", "-o"])
        .arg(dir.join("nsis_tauri_utils.dll"))
        .arg(source)
        .args([
            "-L/usr/i686-w64-mingw32/lib/nsis",
            "-lpluginapi-x86-unicode",
            "-Wl,--kill-at",
            "-Wl,--no-insert-timestamp",
        ])
        .status()
        .context("i686-w64-mingw32-gcc kon niet starten (pakket gcc-mingw-w64-i686)")?;
    if !status.success() {
        bail!("de NSIS-plugin {} kon niet worden gebouwd ({status})", source.display());
    }
    Ok(())
}

fn fresh_dir(dir: &Path) -> Result<()> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).with_context(|| format!("kon {} niet leegmaken", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("kon {} niet maken", dir.display()))
}

/// Copies the executable into the work folder, marked as installed by NSIS; the loader is
/// installed from where it is.
fn stage_app(config: &Value, exe_dir: &Path, work: &Path, plugins: PathBuf) -> Result<Staged> {
    let name = format!("{}.exe", main_binary(config)?);
    let built = exe_dir.join(&name);
    let mut bytes = std::fs::read(&built)
        .with_context(|| format!("{} ontbreekt of is onleesbaar: bouw eerst de Windows-release", built.display()))?;
    mark_bundle_type(&mut bytes).with_context(|| format!("{} is geen Tauri-app", built.display()))?;
    let exe = work.join(&name);
    std::fs::write(&exe, &bytes).with_context(|| format!("kon {} niet schrijven", exe.display()))?;
    let loader = exe_dir.join(WEBVIEW2_LOADER);
    let loader_size = std::fs::metadata(&loader)
        .with_context(|| {
            format!("{} ontbreekt: de Windows-release hoort het naast {name} te zetten", loader.display())
        })?
        .len();
    let estimated_size = (bytes.len() as u64 + loader_size) / 1024;
    Ok(Staged { work: work.to_path_buf(), plugins, exe, loader, estimated_size })
}

/// Replaces the first bundle-type marker, as the bundler does.
fn mark_bundle_type(bytes: &mut [u8]) -> Result<()> {
    let at = bytes
        .windows(BUNDLE_TYPE_UNKNOWN.len())
        .position(|w| w == BUNDLE_TYPE_UNKNOWN)
        .context("het merkteken __TAURI_BUNDLE_TYPE_VAR_UNK ontbreekt (al gemarkeerd, of geen Tauri 2-app)")?;
    bytes[at..at + BUNDLE_TYPE_NSIS.len()].copy_from_slice(BUNDLE_TYPE_NSIS);
    Ok(())
}

fn main_binary(config: &Value) -> Result<String> {
    match config.get("mainBinaryName") {
        None | Some(Value::Null) => Ok(MAIN_BINARY.to_string()),
        Some(Value::String(name)) => Ok(name.trim_end_matches(".exe").to_string()),
        Some(_) => bail!("mainBinaryName in tauri.conf.json is geen tekst"),
    }
}

/// The data the bundler gives the template, from tauri.conf.json (relative paths from
/// `tauri_dir`) and the staged files.
fn template_data(config: &Value, tauri_dir: &Path, staged: &Staged) -> Result<Value> {
    let mut data = app_data(config)?;
    data.extend(nsis_data(config, tauri_dir, staged)?);
    data.extend(webview2_data(config)?);
    data.extend(files_data(config, staged)?);
    Ok(Value::Object(data))
}

/// Names, version and descriptions.
fn app_data(config: &Value) -> Result<Map<String, Value>> {
    let product_name = required_text(config, "/productName")?;
    let version = required_text(config, "/version")?;
    let bundle_id = required_text(config, "/identifier")?;
    let manufacturer = match optional_text(config, "/bundle/publisher")? {
        Some(publisher) => publisher,
        None => bundle_id.split('.').nth(1).unwrap_or(&bundle_id).to_string(),
    };
    Ok(entries([
        ("arch", json!(ARCH)),
        ("bundle_id", json!(bundle_id)),
        ("manufacturer", json!(manufacturer)),
        ("product_name", json!(product_name)),
        ("short_description", json!(optional_text(config, "/bundle/shortDescription")?.unwrap_or_default())),
        ("long_description", json!(optional_text(config, "/bundle/longDescription")?.unwrap_or_default())),
        ("homepage", json!(optional_text(config, "/bundle/homepage")?.unwrap_or_default())),
        ("copyright", json!(optional_text(config, "/bundle/copyright")?)),
        ("version_with_build", json!(version_with_build(&version)?)),
        ("version", json!(version)),
        ("allow_downgrades", json!(optional_bool(config, "/bundle/windows/allowDowngrades")?.unwrap_or(true))),
    ]))
}

/// `bundle.windows.nsis`, with the bundler's defaults.
fn nsis_data(config: &Value, tauri_dir: &Path, staged: &Staged) -> Result<Map<String, Value>> {
    let nsis = "/bundle/windows/nsis";
    let mut data = Map::new();
    let install_mode = optional_text(config, &format!("{nsis}/installMode"))?.unwrap_or_else(|| "currentUser".into());
    if !["currentUser", "perMachine", "both"].contains(&install_mode.as_str()) {
        bail!("onbekende {nsis}/installMode {install_mode:?} in tauri.conf.json");
    }
    let compression = optional_text(config, &format!("{nsis}/compression"))?.unwrap_or_else(|| "lzma".into());
    if !["zlib", "bzip2", "lzma", "none"].contains(&compression.as_str()) {
        bail!("onbekende {nsis}/compression {compression:?} in tauri.conf.json");
    }
    let languages = match config.pointer(&format!("{nsis}/languages")) {
        None | Some(Value::Null) => vec!["English".to_string()],
        Some(list) => serde_json::from_value::<Vec<String>>(list.clone())
            .with_context(|| format!("{nsis}/languages in tauri.conf.json is geen lijst van talen"))?,
    };
    let selector = optional_bool(config, &format!("{nsis}/displayLanguageSelector"))?.unwrap_or(false);
    let language_files =
        languages.iter().map(|l| path_text(&staged.work.join(format!("{l}.nsh")))).collect::<Result<Vec<_>>>()?;
    data.insert("install_mode".into(), json!(install_mode));
    data.insert("compression".into(), json!(compression));
    data.insert("display_language_selector".into(), json!(selector && languages.len() > 1));
    data.insert("languages".into(), json!(languages));
    data.insert("language_files".into(), json!(language_files));
    for key in ["startMenuFolder", "minimumWebview2Version"] {
        if let Some(value) = optional_text(config, &format!("{nsis}/{key}"))? {
            data.insert(snake_case(key), json!(value));
        }
    }
    data.extend(nsis_files(config, tauri_dir)?);
    Ok(data)
}

/// The hooks and images of `bundle.windows.nsis`, and the installer's icon.
fn nsis_files(config: &Value, tauri_dir: &Path) -> Result<Map<String, Value>> {
    let nsis = "/bundle/windows/nsis";
    let mut data = Map::new();
    if let Some(hooks) = optional_text(config, &format!("{nsis}/installerHooks"))? {
        data.insert("installer_hooks".into(), json!(existing_path(tauri_dir, &hooks, "installerHooks")?));
    }
    for (key, template_key) in NSIS_IMAGES {
        if let Some(image) = optional_text(config, &format!("{nsis}/{key}"))? {
            data.insert((*template_key).into(), json!(existing_path(tauri_dir, &image, key)?));
        }
    }
    let icon = match optional_text(config, &format!("{nsis}/installerIcon"))? {
        Some(icon) => Some(icon),
        None => app_ico(config)?,
    };
    if let Some(icon) = icon {
        data.insert("installer_icon".into(), json!(existing_path(tauri_dir, &icon, "installerIcon")?));
    }
    Ok(data)
}

/// The first `.ico` in `bundle.icon`.
fn app_ico(config: &Value) -> Result<Option<String>> {
    let icons = match config.pointer("/bundle/icon") {
        None | Some(Value::Null) => Vec::new(),
        Some(list) => serde_json::from_value::<Vec<String>>(list.clone())
            .context("bundle.icon in tauri.conf.json is geen lijst van bestanden")?,
    };
    Ok(icons.into_iter().find(|i| i.to_lowercase().ends_with(".ico")))
}

/// How the installer sees to Microsoft's WebView2 (`bundle.windows.webviewInstallMode`).
fn webview2_data(config: &Value) -> Result<Map<String, Value>> {
    let setting = "/bundle/windows/webviewInstallMode";
    let kind = optional_text(config, &format!("{setting}/type"))?.unwrap_or_else(|| "downloadBootstrapper".into());
    let silent = optional_bool(config, &format!("{setting}/silent"))?.unwrap_or(true);
    let mode = match kind.as_str() {
        "skip" => "",
        "downloadBootstrapper" => "downloadBootstrapper",
        "embedBootstrapper" | "offlineInstaller" | "fixedRuntime" => bail!(
            "{setting} {kind:?} in tauri.conf.json: dan moet er bij het bouwen iets van Microsoft worden \
             gedownload of meegeleverd, en dat kan cargo xtask niet; kies \"skip\" of \"downloadBootstrapper\""
        ),
        other => bail!("onbekende {setting} {other:?} in tauri.conf.json"),
    };
    Ok(entries([
        ("install_webview2_mode", json!(mode)),
        ("webview2_installer_args", json!(if silent { "/silent" } else { "" })),
    ]))
}

/// The files the installer holds, and where the plugin is.
fn files_data(config: &Value, staged: &Staged) -> Result<Map<String, Value>> {
    let mut resources = Map::new();
    resources.insert(path_text(&staged.loader)?, json!(["", WEBVIEW2_LOADER]));
    Ok(entries([
        ("additional_plugins_path", json!(path_text(&staged.plugins)?)),
        ("main_binary_name", json!(main_binary(config)?)),
        ("main_binary_path", json!(path_text(&staged.exe)?)),
        ("out_file", json!(OUT_FILE)),
        ("resources_ancestors", json!([])),
        ("resources_dirs", json!([""])),
        ("resources", Value::Object(resources)),
        ("binaries", json!({})),
        ("estimated_size", json!(staged.estimated_size)),
    ]))
}

fn entries<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(key, value)| (key.to_string(), value)).collect()
}

/// `VIProductVersion` needs four numbers: the bundler's `x.y.z.<numeric build or 0>`.
fn version_with_build(version: &str) -> Result<String> {
    let (rest, build) = version.split_once('+').map_or((version, None), |(r, b)| (r, Some(b)));
    let core = rest.split_once('-').map_or(rest, |(core, _pre)| core);
    let numbers: Vec<u64> = core.split('.').map(str::parse).collect::<Result<_, _>>().unwrap_or_default();
    let [major, minor, patch] = numbers[..] else {
        bail!("versie {version:?} in tauri.conf.json is geen semver-versie (x.y.z)");
    };
    let build = build.filter(|b| b.parse::<u64>().is_ok()).unwrap_or("0");
    Ok(format!("{major}.{minor}.{patch}.{build}"))
}

/// The installer's file name, `<product>_<version>_x64-setup.exe`, as the bundler's.
fn setup_name(data: &Value) -> Result<String> {
    let text = |key: &str| data.get(key).and_then(Value::as_str).with_context(|| format!("{key} ontbreekt"));
    Ok(format!("{}_{}_{ARCH}-setup.exe", text("product_name")?, text("version")?))
}

/// Tauri's `.nsh` files and the language files, into the work folder with a byte order mark.
fn write_includes(tauri_sources: &Path, work: &Path, data: &Value) -> Result<()> {
    for name in ["utils.nsh", "FileAssociation.nsh"] {
        write_with_bom(&work.join(name), &read_bytes(&tauri_sources.join(name))?)?;
    }
    let languages = data.get("languages").and_then(Value::as_array).context("languages ontbreekt")?;
    for language in languages.iter().filter_map(Value::as_str) {
        let source = tauri_sources.join("languages").join(format!("{language}.nsh"));
        let text = read_bytes(&source).with_context(|| {
            format!("taal {language:?}: geen vertaling van Tauri {TAURI_BUNDLER} in {}", source.display())
        })?;
        write_with_bom(&work.join(format!("{language}.nsh")), &text)?;
    }
    Ok(())
}

/// Renders `template` as tauri-bundler does: its escaping of NSIS's special characters and its
/// three helpers.
fn render(template: &str, data: &Value) -> Result<String> {
    let mut handlebars = Handlebars::new();
    handlebars.register_helper("or", Box::new(or_helper));
    handlebars.register_helper("association-description", Box::new(association_description_helper));
    handlebars.register_helper("no-escape", Box::new(no_escape_helper));
    handlebars.register_escape_fn(escape_nsis);
    handlebars
        .register_template_string("installer.nsi", template)
        .context("het NSIS-sjabloon van Tauri is ongeldig")?;
    handlebars.render("installer.nsi", data).context("kon het NSIS-sjabloon van Tauri niet invullen")
}

fn escape_nsis(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("$\\\""),
            '$' => out.push_str("$$"),
            '`' => out.push_str("$\\`"),
            '\n' => out.push_str("$\\n"),
            '\t' => out.push_str("$\\t"),
            '\r' => out.push_str("$\\r"),
            _ => out.push(c),
        }
    }
    out
}

fn param(h: &Helper<'_>, name: &'static str, index: usize) -> Result<String, RenderErrorReason> {
    h.param(index).map(|p| p.render()).ok_or(RenderErrorReason::ParamNotFoundForIndex(name, index))
}

/// `{{or a b}}`: `a`, or `b` when `a` is empty.
fn or_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &HbContext,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let first = param(h, "or", 0)?;
    out.write(&if first.is_empty() { param(h, "or", 1)? } else { first })?;
    Ok(())
}

/// `{{association-description description ext}}`: the description, or "`EXT` File".
fn association_description_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &HbContext,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    let description = param(h, "association-description", 0)?;
    let ext = param(h, "association-description", 1)?;
    out.write(&if description.is_empty() { format!("{} File", ext.to_uppercase()) } else { description })?;
    Ok(())
}

/// `{{no-escape x}}`: `x` as it is.
fn no_escape_helper(
    h: &Helper<'_>,
    _: &Handlebars<'_>,
    _: &HbContext,
    _: &mut RenderContext<'_, '_>,
    out: &mut dyn Output,
) -> HelperResult {
    out.write(&param(h, "no-escape", 0)?)?;
    Ok(())
}

/// Runs makensis in the work folder as the bundler does, with our include folder. A warning
/// fails the build unless it is one of [`EXPECTED_WARNINGS`], so that e.g. an unknown
/// variable in the hooks is not shipped.
fn makensis(work: &Path, include_dir: &Path) -> Result<()> {
    let output = Command::new("makensis")
        .arg(format!("-X!addincludedir \"{}\"", path_text(include_dir)?))
        .args(["-INPUTCHARSET", "UTF8", "-V2", "installer.nsi"])
        .env_remove("NSISDIR")
        .env_remove("NSISCONFDIR")
        .current_dir(work)
        .output()
        .context("makensis kon niet starten (pakket nsis)")?;
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    eprint!("{text}");
    let script = work.join("installer.nsi");
    if !output.status.success() {
        bail!(
            "makensis kon het installatieprogramma niet maken ({}); het script staat in {}",
            output.status,
            script.display()
        );
    }
    let unexpected = unexpected_warnings(&text);
    if !unexpected.is_empty() {
        bail!("makensis waarschuwde ({}); het script staat in {}", unexpected.join("; "), script.display());
    }
    Ok(())
}

/// Warnings Tauri's template always gives with Debian's makensis, harmless: `File /a` keeps no
/// file attributes when building on Linux; the WebView2 install's label is unused when
/// WebView2 is not installed; the template's fallback for a misspelled text of older custom
/// language files (`choowHowToInstall`) is not in Tauri's own.
const EXPECTED_WARNINGS: &[&str] = &[
    "warning 5050: File /a is disabled for non Win32 platforms.",
    "warning 6012: label \"install_webview2\" not used",
    "warning 6040: LangString \"choowHowToInstall\" is not set in language table of language ",
];

/// makensis's warning lines (`warning NNNN: ...`) that are not expected.
fn unexpected_warnings(output: &str) -> Vec<String> {
    output
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("warning "))
        .filter(|line| !EXPECTED_WARNINGS.iter().any(|expected| line.starts_with(expected)))
        .map(str::to_string)
        .collect()
}

fn required_text(config: &Value, pointer: &str) -> Result<String> {
    optional_text(config, pointer)?.with_context(|| format!("{pointer} ontbreekt in tauri.conf.json"))
}

fn optional_text(config: &Value, pointer: &str) -> Result<Option<String>> {
    match config.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => bail!("{pointer} in tauri.conf.json is geen tekst"),
    }
}

fn optional_bool(config: &Value, pointer: &str) -> Result<Option<bool>> {
    match config.pointer(pointer) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(value)) => Ok(Some(*value)),
        Some(_) => bail!("{pointer} in tauri.conf.json is geen true of false"),
    }
}

/// `startMenuFolder` → `start_menu_folder`.
fn snake_case(key: &str) -> String {
    key.chars().flat_map(|c| if c.is_ascii_uppercase() { vec!['_', c.to_ascii_lowercase()] } else { vec![c] }).collect()
}

/// A file tauri.conf.json names (relative to src-tauri), as an absolute path.
fn existing_path(tauri_dir: &Path, relative: &str, key: &str) -> Result<String> {
    let path = tauri_dir.join(relative);
    let path =
        path.canonicalize().with_context(|| format!("{key} in tauri.conf.json: {} bestaat niet", path.display()))?;
    path_text(&path)
}

fn path_text(path: &Path) -> Result<String> {
    path.to_str().map(str::to_string).with_context(|| format!("pad {} is geen UTF-8", path.display()))
}

fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).with_context(|| format!("kon {} niet lezen", path.display()))
}

fn read_text(path: &Path) -> Result<String> {
    String::from_utf8(read_bytes(path)?).with_context(|| format!("{} is geen UTF-8", path.display()))
}

/// Writes `content` with one UTF-8 byte order mark, as the bundler does (makensis then reads
/// it as UTF-8 whatever `-INPUTCHARSET` says).
fn write_with_bom(path: &Path, content: &[u8]) -> Result<()> {
    const BOM: &[u8] = b"\xEF\xBB\xBF";
    let content = content.strip_prefix(BOM).unwrap_or(content);
    std::fs::write(path, [BOM, content].concat()).with_context(|| format!("kon {} niet schrijven", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_renders_with_the_apps_names_hooks_and_aumid() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("workspace root");
        let config: Value = serde_json::from_str(
            r#"{"productName": "HwC School", "version": "1.2.3+45", "identifier": "nl.hwc.school",
                "bundle": {"publisher": "HwC", "icon": ["../icons/32x32.png", "../icons/icon.ico"],
                  "windows": {"webviewInstallMode": {"type": "skip"},
                    "nsis": {"installMode": "perMachine", "languages": ["Dutch"], "displayLanguageSelector": false,
                             "installerHooks": "../installer/windows/hooks.nsh"}}}}"#,
        )
        .expect("test config");
        let work = PathBuf::from("/tmp/$werk/nsis/x64");
        let staged = Staged {
            exe: work.join("hwc-school.exe"),
            loader: PathBuf::from("/tmp/$werk/WebView2Loader.dll"),
            plugins: PathBuf::from("/tmp/$werk/nsis/plugin"),
            work,
            estimated_size: 1234,
        };
        let data = template_data(&config, &root.join("src-tauri"), &staged).expect("data");
        let template = read_text(&root.join(SOURCES).join("tauri/installer.nsi")).expect("template");
        let script = render(&template, &data).expect("render");
        let hooks = root.join("installer/windows/hooks.nsh").canonicalize().expect("hooks.nsh");
        let icon = root.join("icons/icon.ico").canonicalize().expect("icon.ico");
        for expected in [
            "!define PRODUCTNAME \"HwC School\"".to_string(),
            "!define MANUFACTURER \"HwC\"".to_string(),
            "!define VERSIONWITHBUILD \"1.2.3.45\"".to_string(),
            "!define INSTALLMODE \"perMachine\"".to_string(),
            "!define INSTALLWEBVIEW2MODE \"\"".to_string(),
            "!define ESTIMATEDSIZE \"1234\"".to_string(),
            "!define BUNDLEID \"nl.hwc.school\"".to_string(),
            "!insertmacro SetLnkAppUserModelId \"$DESKTOP\\${PRODUCTNAME}.lnk\"".to_string(),
            "!insertmacro MUI_LANGUAGE \"Dutch\"".to_string(),
            format!("!include \"{}\"", hooks.display()),
            format!("!define INSTALLERICON \"{}\"", icon.display()),
            // Escaped where the template escapes, as it is where it does not.
            "!define MAINBINARYSRCPATH \"/tmp/$$werk/nsis/x64/hwc-school.exe\"".to_string(),
            "File /a \"/oname=WebView2Loader.dll\" \"/tmp/$werk/WebView2Loader.dll\"".to_string(),
        ] {
            assert!(script.contains(&expected), "{expected:?} ontbreekt in het script");
        }
        assert!(!script.contains("{{") && !script.contains("}}"), "niet ingevulde {{..}} in het script");
        assert_eq!(setup_name(&data).expect("name"), "HwC School_1.2.3+45_x64-setup.exe");
    }
}
