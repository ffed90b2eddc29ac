//! The library's one error type. Every message is a plain Dutch sentence that tells the
//! leerplicht officer what went wrong and what to do. No message ever contains a child's name
//! or birthdate: the library never puts them into an error in the first place.

use crate::relay_client::RelayError;
use hwc_protocol::safety_code::SafetyCodeError;
use hwc_protocol::{Brin, DeviceId, EnrollmentError, EnvelopeError, IdError, KeyError, LocationNumber, SignalId};
use std::path::PathBuf;

/// Shorthand for the library's results.
pub type Result<T, E = SendError> = std::result::Result<T, E>;

/// Everything that can go wrong in `hwc-send`.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    #[error("in {} staat nog geen sender; begin met: hwc-send init --relay URL", dir.display())]
    NotInitialised { dir: PathBuf },
    #[error("in {} staat al een sender; kies een andere map met --state-dir als u opnieuw wilt beginnen", dir.display())]
    AlreadyInitialised { dir: PathBuf },
    #[error("de map {} kan niet worden gebruikt: {reason}", dir.display())]
    StateDir { dir: PathBuf, reason: String },
    #[error("geen map voor de gegevens gevonden: zet HWC_SEND_STATE of geef --state-dir op")]
    NoStateDir,
    #[error("{0}; of bewaar de sleutel in een bestand met --key-file")]
    Keyring(#[from] hwc_keystore::KeystoreError),
    #[error("de sleutel van de sender-database staat niet in de sleutelbos van deze gebruiker; is deze map aangemaakt met --key-file? Geef dat bestand dan op met --key-file")]
    KeyringEntryMissing,
    #[error("het sleutelbestand {} kan niet worden gebruikt: {reason}", path.display())]
    KeyFile { path: PathBuf, reason: String },
    #[error("het sleutelbestand {} is leesbaar voor anderen; maak het alleen voor uzelf leesbaar met: {fix}", path.display())]
    KeyFileTooOpen { path: PathBuf, fix: String },
    #[error("de sleutel van de sender-database klopt niet; gebruik dezelfde sleutelbos of hetzelfde --key-file als bij init")]
    WrongKey,
    #[error("de sender-database gaf een fout: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("de sender-database is beschadigd of van een onbekende versie: {0}")]
    CorruptState(&'static str),
    #[error("het relay-adres is ongeldig: {0}")]
    RelayUrl(String),
    #[error(transparent)]
    Relay(#[from] RelayError),
    #[error("deze school heeft nog geen geverifieerd apparaat ({brin}); laat de school eerst een apparaat aanmelden en verifieer het met: hwc-send school verify {brin}")]
    NoVerifiedDevice { brin: Brin },
    #[error("school {brin} heeft al {max} geverifieerde apparaten; meer kan een signaal niet dragen")]
    TooManyDevices { brin: Brin, max: usize },
    #[error("apparaat {device} van school {brin} wacht niet op verificatie bij de relay; controleer het apparaatnummer met: hwc-send school verify {brin}")]
    UnknownDevice { brin: Brin, device: DeviceId },
    #[error("{0}")]
    SafetyCodeFormat(#[from] SafetyCodeError),
    #[error("de veiligheidscode klopt NIET. Verifieer dit apparaat niet. Bel de school terug op een nummer dat u zelf opzoekt (niet een nummer uit een bericht); de sleutels kunnen onderweg zijn verwisseld")]
    SafetyCodeMismatch,
    #[error("de relay gaf gegevens over een apparaat die niet kloppen (apparaatnummer past niet bij de sleutels of verkeerde school); vertrouw deze relay niet en meld dit aan de beheerder")]
    RelayInconsistent,
    #[error("het signaal kon niet worden verzegeld: {0}")]
    Envelope(#[from] EnvelopeError),
    #[error("{0}")]
    Key(#[from] KeyError),
    #[error("{0}")]
    Id(#[from] IdError),
    #[error("{0}")]
    Enrollment(#[from] EnrollmentError),
    #[error("het signaal kon niet worden vastgelegd en is daarom NIET verstuurd: {reason}")]
    NotRecorded { reason: String },
    /// The relay answered the envelope with a 4xx: it was not stored; nothing is recorded.
    #[error("de relay heeft het signaal geweigerd; het is niet afgeleverd: {0}")]
    SignalRefused(RelayError),
    /// No definite answer from the relay: the signal may or may not have arrived. It stays
    /// recorded as outstanding under its id.
    #[error("het is niet zeker of signaal {signal} voor school {school} bij de relay is aangekomen: {reason}. Verstuur het NIET opnieuw, want dan krijgt de school het mogelijk twee keer. Het signaal staat hier als open genoteerd onder signaalnummer {signal}: kijk later met hwc-send receipts of het is bevestigd, of bel de school")]
    SentUncertain { signal: SignalId, school: Brin, reason: String },
    #[error("school {brin} heeft nog geen apparaat onder de nieuwe sleutel van dit bureau; laat de school opnieuw aanmelden (hwc-send school add {brin}) en verifieer het apparaat")]
    OnlyPreviousKeyDevices { brin: Brin },
    #[error("de relay heeft de overdracht naar de nieuwe sleutel geweigerd: {0}. De oude sleutel blijft in gebruik; draai hwc-send key rotate opnieuw als het probleem is opgelost")]
    HandOverRefused(RelayError),
    #[error("apparaat {device} is niet bekend bij school {brin}, hier niet en bij de relay niet; bekijk de apparaten met: hwc-send school list")]
    DeviceNotFound { brin: Brin, device: DeviceId },
    #[error("de zomervakantie van school {brin} valt tussen nu en de eerste schooldag ({read_by}), en volgens de instelling van dit bureau gaan er dan geen signalen naar scholen. Er is niets verstuurd")]
    SummerRefused { brin: Brin, read_by: String },
    #[error("de naam van de afzender en de sector zijn bij dit bureau opgeslagen, maar de relay nam het profiel van school {brin} niet aan ({reason}); probeer het later opnieuw met: hwc-send school profile {brin}")]
    ProfileNotPublished { brin: Brin, reason: String },
    #[error("bewaartermijn van de tellingen: geef een aantal maanden van 1 tot en met {max}")]
    CountsKeep { max: u32 },
    #[error("de bewaartermijn van {months} maanden geldt nu bij dit bureau, maar de relay kon hem niet aannemen ({reason}); probeer het later opnieuw met: hwc-send settings --keep-counts {months}")]
    RetentionAtRelay { months: u32, reason: String },
    #[error("{0}; er is niets verstuurd")]
    Calendar(hwc_calendar::PlanError),
    #[error("de school krijgt dit signaal pas op {day}, en dan valt het kind buiten de leeftijden die een signaal mag hebben; de school zou het niet kunnen openen. Er is niets verstuurd")]
    AgeOnDelivery { day: String },
    #[error("de relay kan dit signaal niet tot na de vakantie bewaren ({0}); waarschijnlijk is de relay ouder dan dit programma. Vraag de beheerder de relay bij te werken. Er is niets verstuurd")]
    RelayCannotHold(RelayError),
    #[error("school {brin} is hier niet bekend; meld haar eerst aan met: hwc-send school add {brin}")]
    SchoolNotKnown { brin: Brin },
    #[error("vestiging {number} van school {brin} is hier niet bekend; leg haar eerst vast met: hwc-send school location {brin}{number}")]
    LocationNotKnown { brin: Brin, number: LocationNumber },
    #[error("school {brin} heeft meer vestigingen ({numbers}); kies de vestiging van het kind, zoals {brin}{first}. Er is niets verstuurd")]
    LocationNeeded { brin: Brin, numbers: String, first: LocationNumber },
    #[error("vestiging {brin}{number} heeft geen geverifieerd apparaat; wijs er een toe met: hwc-send school device {brin} --device ID --locations {number}. Er is niets verstuurd")]
    NoDeviceAtLocation { brin: Brin, number: LocationNumber },
    #[error("de naam van een vestiging heeft 2 tot 60 tekens: letters, cijfers, spaties en - ' . , & ( ) /")]
    LocationName,
}

impl SendError {
    /// Whether the error is the user's input (exit code 2) rather than a failure (exit code 1).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            SendError::SafetyCodeFormat(_)
                | SendError::RelayUrl(_)
                | SendError::Enrollment(EnrollmentError::UnknownRole)
                | SendError::DeviceNotFound { .. }
                | SendError::SchoolNotKnown { .. }
                | SendError::LocationNotKnown { .. }
                | SendError::LocationNeeded { .. }
                | SendError::LocationName
        )
    }
}
