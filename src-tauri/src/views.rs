//! What the commands hand to the page. Only `SignalView` carries personal data, and only as
//! the answer to opening one signal; every other view holds ids, counts, times and words.

use serde::Serialize;

/// Which screen the app is on, and what it needs to show there.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "screen", rename_all = "snake_case")]
pub enum AppStatus {
    /// First start: enroll this computer.
    Enroll { default_relay: String, relay_fixed: bool },
    /// Enrolled; leerplicht has not yet confirmed the safety code.
    AwaitingVerification { safety_code: String, school: String, role: String, words: Words },
    /// The device was removed by leerplicht or wiped.
    Removed { words: Words },
    /// Enrolled and verified, PIN not entered. `pin_warning`: after several wrong PINs in a
    /// row, how many tries are left before this device is wiped (kept across restarts).
    /// `expired`: one sentence per signal that expired here unhandled (no content).
    Locked {
        waiting: usize,
        status_line: String,
        pin_warning: Option<String>,
        expired: Vec<ExpiredNotice>,
        words: Words,
    },
    /// Unlocked: the inbox. `confirmation`: for a fresh page after an acknowledgement, the
    /// sentence to show first ("Bevestiging verstuurd …"). `expired`: as on the lock screen,
    /// until the person confirms having seen them.
    Inbox {
        waiting: usize,
        status_line: String,
        notices: Vec<String>,
        confirmation: Option<String>,
        expired: Vec<ExpiredNotice>,
        words: Words,
    },
}

/// The words the screens use for this school, from the profile its office signed (see
/// `hwc_client::profile`): who sends the signals (`sender`, mid-sentence; `Sender` capitalised,
/// to start one), whom to tell and what this device's role is called.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Words {
    pub sender: String,
    #[serde(rename = "Sender")]
    pub sender_capitalised: String,
    pub tell: String,
    pub role: String,
}

impl Words {
    pub fn of(words: &hwc_client::ScreenWords) -> Self {
        Self {
            sender: words.sender.clone(),
            sender_capitalised: capitalised(&words.sender),
            tell: words.tell_whom.to_string(),
            role: words.role_name.to_string(),
        }
    }
}

/// `text` with its first letter upper case, to start a sentence ("leerplicht" → "Leerplicht").
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_starts_with_a_capital() {
        assert_eq!(capitalised("leerplicht"), "Leerplicht");
        assert_eq!(capitalised("Veilig Thuis Gooi en Vechtstreek"), "Veilig Thuis Gooi en Vechtstreek");
        assert_eq!(capitalised("ésprit"), "Ésprit");
        assert_eq!(capitalised(""), "");
    }
}

/// The notice of one signal that expired here unhandled: its id (for "Gezien") and the sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiredNotice {
    pub id: String,
    pub text: String,
}

/// The answer to wiping this device: the next screen, and whether the relay confirmed that the
/// device is out of use (if not, the person is asked to phone leerplicht).
#[derive(Debug, Clone, Serialize)]
pub struct Wiped {
    pub next: AppStatus,
    pub leerplicht_told: bool,
}

/// One sealed signal waiting, as listed in the inbox.
#[derive(Debug, Clone, Serialize)]
pub struct SignalListItem {
    pub id: String,
    pub received: String,
}

/// An opened signal, for display only.
#[derive(Clone, Serialize)]
pub struct SignalView {
    pub id: String,
    pub codeword: String,
    pub name: String,
    pub birthdate: String,
    pub age: u32,
}

impl std::fmt::Debug for SignalView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignalView { .. }")
    }
}

impl Drop for SignalView {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.name.zeroize();
        self.birthdate.zeroize();
    }
}

/// The privacy view: exactly what the vault holds, without content.
#[derive(Debug, Clone, Serialize)]
pub struct PrivacyView {
    pub lines: Vec<String>,
}
