//! The Handle with Care protocol: the one place that defines what a signal is, how it travels
//! sealed inside an envelope, how a school acknowledges it, which keys exist and how requests to
//! the relay are authenticated. Pure code: no I/O, no async, no clocks (callers pass the time).

pub mod api;
pub mod birthdate;
pub mod brin;
pub mod encoding;
pub mod enrollment;
pub mod envelope;
mod exact_json;
pub mod expiry;
pub mod ids;
pub mod keys;
pub mod location;
pub mod name;
pub mod pin_guard;
pub mod profile;
pub mod receipt;
pub mod receipt_key;
pub mod relay_address;
pub mod request_auth;
pub mod safety_code;
pub mod school_days;
pub mod signal;
pub mod signed_frame;
pub mod succession;

pub use birthdate::{Birthdate, BirthdateError};
pub use brin::{Brin, BrinError};
pub use enrollment::{EnrollmentCode, EnrollmentError, Role};
pub use envelope::{Envelope, EnvelopeError, OpenError, SealedCopy, VerifiedEnvelope};
pub use ids::{DeviceId, IdError, SignalId};
pub use keys::{DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, KeyError, OfficePublicKey, OfficeSigningKey};
pub use location::{Destination, LocationError, LocationNumber, SchoolLocation};
pub use name::{ChildName, NameError};
pub use profile::{ProfileError, SchoolProfile, Sector, SenderName};
pub use receipt::{Receipt, ReceiptError, ReceiptKind, VerifiedReceipt};
pub use receipt_key::ReceiptKey;
pub use relay_address::{RelayAddress, RelayAddressError};
pub use request_auth::{AuthError, AuthHeaders, RequestParts, Signer};
pub use safety_code::SafetyCode;
pub use school_days::{SchoolDaysError, SchoolDaysNotice};
pub use signal::{Signal, SignalError, CODEWORD};
pub use succession::OfficeSuccession;

/// Largest envelope a relay or device accepts, in bytes (the relay refuses bodies over 64 KiB).
pub const MAX_ENVELOPE_BYTES: usize = 32 * 1024;
/// Largest request body the relay accepts.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024;
/// How many devices one envelope may be sealed to.
pub const MAX_COPIES: usize = 8;
