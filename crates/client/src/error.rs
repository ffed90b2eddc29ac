//! The one error type of the client's API, with a plain Dutch sentence for the user in every
//! variant. No message ever contains a child's name or birthdate: the decrypted signal is never
//! part of an error, and the protocol's own errors name only the kind of problem.

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
}

impl ClientError {
    /// Whether this is "the relay cannot be reached now": the app shows offline and retries.
    pub fn is_offline(&self) -> bool {
        matches!(self, ClientError::Relay(RelayError::Unreachable))
    }
}

/// Shorthand for results of the client.
pub type Result<T, E = ClientError> = std::result::Result<T, E>;
