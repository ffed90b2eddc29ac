//! An empty Tauri window: the baseline the app's start time and memory are compared with in
//! `cargo xtask bench`. One window with one line of text, whose page sets its title once drawn,
//! the title passed to the window the way the app does it.

fn main() {
    let started = tauri::Builder::default()
        .setup(|app| {
            tauri::WebviewWindowBuilder::new(app, "main", tauri::WebviewUrl::App("index.html".into()))
                .title("Basislijn")
                .on_document_title_changed(|window, title| {
                    let _ = window.set_title(&title);
                })
                .build()?;
            Ok(())
        })
        .run(tauri::generate_context!());
    if let Err(error) = started {
        eprintln!("basislijn: {error}");
        std::process::exit(1);
    }
}
