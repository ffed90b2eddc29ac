//! The operating system's credential store, where the school app keeps its vault key and PIN
//! pepper and `hwc-send` its state key. One store per platform, chosen when the program is
//! built: the Secret Service on Linux (GNOME Keyring, KWallet), the Windows Credential Manager,
//! the macOS Keychain.
//!
//! This sits on `keyring-core`, which has no default store: a platform without a store here
//! does not compile, where `keyring` 3 would quietly have fallen back to a mock that keeps
//! nothing, and every enrolled device would have lost its vault at the next start. On Windows
//! every credential is written with *local* persistence, so it stays on this computer and does
//! not roam with a domain user's profile (keyring's default there is *enterprise*).
//!
//! Secrets go in and come out as bytes; what comes out is wiped from memory when dropped.

use keyring_core::Entry;
use zeroize::Zeroizing;

#[cfg(not(any(target_os = "linux", windows, target_os = "macos")))]
compile_error!("hwc-keystore has no credential store for this operating system (Linux, Windows and macOS only)");

/// What went wrong with the credential store. The texts say what a person can do.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The store could not be reached or refused the request (locked, no session, broken).
    #[error("de sleutelbos van dit systeem ({store}) werkt niet: {detail}. Log opnieuw in op de computer; helpt dat niet, vraag dan de ICT-beheerder")]
    Unavailable { store: &'static str, detail: String },
}

/// The name of this platform's store, as a person would know it.
pub const STORE_NAME: &str = if cfg!(windows) {
    "Windows Referentiebeheer"
} else if cfg!(target_os = "macos") {
    "macOS-sleutelhanger"
} else {
    "Secret Service"
};

fn unavailable(error: keyring_core::Error) -> KeystoreError {
    // `BadEncoding` and `BadDataFormat` carry the stored bytes: never into a message.
    let detail = match error {
        keyring_core::Error::BadEncoding(_) | keyring_core::Error::BadDataFormat(..) => {
            "een opgeslagen sleutel is onleesbaar".to_string()
        }
        other => other.to_string(),
    };
    KeystoreError::Unavailable { store: STORE_NAME, detail }
}

#[cfg(target_os = "linux")]
fn entry(service: &str, account: &str) -> keyring_core::Result<Entry> {
    use keyring_core::api::CredentialStoreApi;
    dbus_secret_service_keyring_store::Store::new()?.build(service, account, None)
}

#[cfg(windows)]
fn entry(service: &str, account: &str) -> keyring_core::Result<Entry> {
    use keyring_core::api::CredentialStoreApi;
    let local = std::collections::HashMap::from([("persistence", "Local")]);
    windows_native_keyring_store::Store::new()?.build(service, account, Some(&local))
}

#[cfg(target_os = "macos")]
fn entry(service: &str, account: &str) -> keyring_core::Result<Entry> {
    use keyring_core::api::CredentialStoreApi;
    apple_native_keyring_store::keychain::Store::new()?.build(service, account, None)
}

/// Stores `secret` under `service` and `account`, replacing what was there.
pub fn store(service: &str, account: &str, secret: &[u8]) -> Result<(), KeystoreError> {
    entry(service, account).and_then(|entry| entry.set_secret(secret)).map_err(unavailable)
}

/// The secret under `service` and `account`, or `None` when there is none.
pub fn load(service: &str, account: &str) -> Result<Option<Zeroizing<Vec<u8>>>, KeystoreError> {
    match entry(service, account).and_then(|entry| entry.get_secret()) {
        Ok(secret) => Ok(Some(Zeroizing::new(secret))),
        Err(keyring_core::Error::NoEntry) => Ok(None),
        Err(other) => Err(unavailable(other)),
    }
}

/// Removes the secret under `service` and `account`; none there already is fine.
pub fn delete(service: &str, account: &str) -> Result<(), KeystoreError> {
    match entry(service, account).and_then(|entry| entry.delete_credential()) {
        Ok(()) | Err(keyring_core::Error::NoEntry) => Ok(()),
        Err(other) => Err(unavailable(other)),
    }
}
