//! Locks the window's session when the desktop session is locked: the screen saver's
//! `ActiveChanged(true)` on the session bus (freedesktop, GNOME, MATE, Cinnamon) and logind's
//! `Lock` on the system bus. Each bus is watched on a thread of its own; a bus that is not
//! there is simply not watched (the idle lock and the minimise lock still apply).

#[cfg(target_os = "linux")]
mod linux {
    use zbus::blocking::{Connection, MessageIterator};
    use zbus::message::Type;
    use zbus::MatchRule;

    const SCREEN_SAVERS: [&str; 4] =
        ["org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver", "org.mate.ScreenSaver", "org.cinnamon.ScreenSaver"];

    fn watch(
        connect: fn() -> zbus::Result<Connection>,
        member: &'static str,
        lock: impl Fn(&zbus::Message) + Send + 'static,
    ) {
        let _ = std::thread::Builder::new().name("hwc-session-lock".into()).spawn(move || {
            let Ok(connection) = connect() else { return };
            let Ok(rule) = MatchRule::builder().msg_type(Type::Signal).member(member).map(|b| b.build()) else {
                return;
            };
            let Ok(signals) = MessageIterator::for_match_rule(rule, &connection, Some(8)) else { return };
            for message in signals.flatten() {
                lock(&message);
            }
        });
    }

    pub fn on_session_lock(lock: impl Fn() + Send + Sync + Clone + 'static) {
        let on_screen_saver = lock.clone();
        watch(Connection::session, "ActiveChanged", move |message| {
            let header = message.header();
            let interface = header.interface().map(|i| i.as_str()).unwrap_or_default();
            if SCREEN_SAVERS.contains(&interface) && message.body().deserialize::<bool>().unwrap_or(false) {
                on_screen_saver();
            }
        });
        watch(Connection::system, "Lock", move |message| {
            if message.header().interface().is_some_and(|i| i.as_str() == "org.freedesktop.login1.Session") {
                lock();
            }
        });
    }
}

/// Calls `lock` whenever the desktop session gets locked.
pub fn on_session_lock(lock: impl Fn() + Send + Sync + Clone + 'static) {
    #[cfg(target_os = "linux")]
    linux::on_session_lock(lock);
    #[cfg(not(target_os = "linux"))]
    let _ = lock;
}
