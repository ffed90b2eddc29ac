//! The one error type of the client's API, with a plain Dutch sentence for the user in every
//! variant. No message ever contains a child's name or birthdate: the decrypted signal is never
//! part of an error, and the protocol's own errors name only the kind of problem.

use crate::pin::{PinProblem, MAX_WRONG_PINS, WARN_FROM_WRONG_PIN};
use crate::relay_client::RelayError;
use crate::vault::VaultError;
use hwc_protocol::{EnrollmentError, EnvelopeError, KeyError, OpenError};

/// Why a client action failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error("aanmeldcode: {0}")]
    Code(#[from] EnrollmentError),
    #[error("dit apparaat is in deze map al aangemeld; wis de gegevens eerst als u opnieuw wilt aanmelden")]
    AlreadyEnrolled,
    #[error("de relay gaf gegevens die niet bij dit apparaat horen ({0}); neem contact op met leerplicht")]
    Mismatch(&'static str),
    #[error("de relay gaf een sleutel van leerplicht die niet bij de aanmeldcode hoort, dus dit apparaat vertrouwt die sleutel niet; er is niets opgeslagen: neem contact op met leerplicht")]
    OfficeKeyNotBound,
    /// [`crate::SchoolClient::retire`] without a PIN, for a device still in use.
    #[error("typ uw pincode om dit apparaat te wissen")]
    PinNeededToWipe,
    /// The device trusts another office key than the one school IT pinned for this computer
    /// ([`crate::SchoolClient::held_to`]); the device has been wiped.
    #[error("de sleutel van leerplicht op dit apparaat hoort niet bij de sleutel die de ICT van uw school heeft vastgelegd, daarom is dit apparaat gewist; neem contact op met leerplicht of de ICT van uw school")]
    OfficeKeyNotPinned,
    #[error("dit signaal staat niet (meer) op dit apparaat")]
    UnknownSignal,
    #[error("dit signaal is verlopen en van dit apparaat verwijderd; leerplicht krijgt daarvan automatisch bericht")]
    Expired,
    #[error("het opgeslagen signaal is niet meer geldig: {0}")]
    Envelope(EnvelopeError),
    #[error("het signaal kan niet worden geopend: {0}")]
    Open(#[from] OpenError),
    #[error("sleutels maken of gebruiken is mislukt: {0}")]
    Key(#[from] KeyError),
    /// The PIN typed (at enrollment or to unlock) is not 6 to 12 digits. Not counted as a try.
    #[error("{0}")]
    PinFormat(PinProblem),
    /// The new PIN of [`crate::SchoolClient::change_pin`] is not 6 to 12 digits.
    #[error("de nieuwe pincode is niet geschikt: {0}")]
    NewPinFormat(PinProblem),
    /// A wrong PIN, counted. `tries_left` before the wipe; `wait_seconds` before the next try.
    #[error("{}", wrong_pin_text(*tries_left, *wait_seconds))]
    WrongPin { tries_left: u32, wait_seconds: u64 },
    /// Too many wrong PINs in a row: no PIN is checked until `seconds` have passed.
    #[error("{}", delay_text(*seconds))]
    PinDelay { seconds: u64 },
    /// Opening a signal needs the PIN: call [`crate::SchoolClient::unlock`] first.
    #[error("dit apparaat is vergrendeld: ontgrendel het eerst met uw pincode")]
    Locked,
    /// The last allowed wrong PIN: the device keys, the vault and its keyring entries are gone.
    #[error("tien keer achter elkaar een onjuiste pincode: de sleutels en de kluis van dit apparaat zijn gewist, zodat niemand de signalen kan openen; meld dit apparaat opnieuw aan met een nieuwe aanmeldcode van leerplicht")]
    WipedAfterWrongPins,
    /// The relay's PIN guard counted ten tries since the last right PIN, not all of them made on
    /// this computer; the device keys, the vault and its keyring entries are gone.
    #[error("de relay telde tien onjuiste pincodes sinds de laatste juiste, ook pogingen die niet van deze computer kwamen (iemand kan een kopie van de gegevens van dit apparaat hebben); daarom zijn de sleutels en de kluis van dit apparaat gewist: meld het opnieuw aan met een nieuwe aanmeldcode van leerplicht en laat de ICT van uw school de computer controleren")]
    WipedAfterGuardRefused,
    /// This device was wiped earlier; nothing more can be done with it.
    #[error("dit apparaat is gewist; meld het opnieuw aan met een nieuwe aanmeldcode van leerplicht")]
    Wiped,
    /// The relay, which takes part in every PIN check, cannot be reached. Not counted as a try.
    #[error("geen verbinding met de relay: zonder de relay kan de pincode niet worden gecontroleerd en kan dit apparaat niet worden ontgrendeld; controleer de internetverbinding en probeer het opnieuw")]
    PinGuardOffline,
    /// Argon2 could not run (memory) or the system's randomness failed. Not counted as a try.
    #[error("de pincode kon nu niet worden gecontroleerd (te weinig vrij geheugen of geen willekeurige bron); sluit andere programma's en probeer het opnieuw")]
    PinCheckUnavailable,
    /// The days to report to the office were refused before anything was sent.
    #[error("{0}")]
    SchoolDays(#[from] hwc_protocol::SchoolDaysError),
}

fn seconds_text(seconds: u64) -> String {
    if seconds == 1 {
        "1 seconde".to_string()
    } else {
        format!("{seconds} seconden")
    }
}

fn wrong_pin_text(tries_left: u32, wait_seconds: u64) -> String {
    let mut text = String::from("de pincode is onjuist");
    if tries_left <= MAX_WRONG_PINS - WARN_FROM_WRONG_PIN {
        let word = if tries_left == 1 { "poging" } else { "pogingen" };
        text.push_str(&format!("; nog {tries_left} {word}, daarna wordt dit apparaat gewist"));
    }
    if wait_seconds > 0 {
        text.push_str(&format!(" (u kunt het over {} opnieuw proberen)", seconds_text(wait_seconds)));
    }
    text
}

fn delay_text(seconds: u64) -> String {
    format!(
        "te vaak achter elkaar een onjuiste pincode: wacht nog {} en probeer het dan opnieuw",
        seconds_text(seconds)
    )
}

impl ClientError {
    /// Whether this is "the relay cannot be reached now": the app shows offline and retries.
    pub fn is_offline(&self) -> bool {
        matches!(self, ClientError::Relay(RelayError::Unreachable) | ClientError::PinGuardOffline)
    }

    /// Whether this device's keys and vault are gone (after too many wrong PINs or a wipe):
    /// the app returns to enrollment.
    pub fn is_wiped(&self) -> bool {
        matches!(self, ClientError::WipedAfterWrongPins | ClientError::WipedAfterGuardRefused | ClientError::Wiped)
    }
}

/// Shorthand for results of the client.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pin_errors_say_what_to_do_and_warn_before_the_last_tries() {
        let text = |e: ClientError| e.to_string();
        assert_eq!(text(ClientError::WrongPin { tries_left: 9, wait_seconds: 0 }), "de pincode is onjuist");
        assert_eq!(
            text(ClientError::WrongPin { tries_left: 6, wait_seconds: 2 }),
            "de pincode is onjuist (u kunt het over 2 seconden opnieuw proberen)"
        );
        assert_eq!(
            text(ClientError::WrongPin { tries_left: 3, wait_seconds: 16 }),
            "de pincode is onjuist; nog 3 pogingen, daarna wordt dit apparaat gewist (u kunt het over 16 seconden opnieuw proberen)"
        );
        assert!(text(ClientError::WrongPin { tries_left: 1, wait_seconds: 64 }).contains("nog 1 poging, daarna"));
        assert_eq!(
            text(ClientError::PinDelay { seconds: 1 }),
            "te vaak achter elkaar een onjuiste pincode: wacht nog 1 seconde en probeer het dan opnieuw"
        );
        assert!(text(ClientError::WipedAfterWrongPins).contains("opnieuw aan"));
        assert!(ClientError::WipedAfterWrongPins.is_wiped() && ClientError::Wiped.is_wiped());
        assert!(text(ClientError::PinFormat(PinProblem::TooShort)).contains("minstens 6 cijfers"));
    }
}
