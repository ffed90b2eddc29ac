//! Enrollment codes and devices: the office announces codes, a device enrolls itself with one
//! (signed with the key it enrolls), the office lists, verifies and removes devices.

use super::json_body;
use crate::auth::{self, RawSigned, Signed};
use crate::enrollment_guard::{client_address, Network};
use crate::error::ApiFailure;
use crate::state::{now_secs, AppState};
use crate::store::enrollments::{CreateOutcome, EnrollOutcome};
use crate::store::pin_guard::NewPinGuard;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::Json;
use hwc_protocol::api::{CreateEnrollment, DeviceInfo, DeviceList, DeviceStatus, EnrollDevice, LastContacts};
use hwc_protocol::pin_guard::PinGuardKey;
use hwc_protocol::{Brin, DeviceId, OfficePublicKey, Signer};
use std::net::SocketAddr;
use std::time::Instant;

/// The one answer for a school the asking office does not own, whether another office owns
/// it or nobody does: two answers would tell any office which schools use the system.
pub fn not_this_offices_school() -> ApiFailure {
    ApiFailure::WrongSchool(
        "Deze school is niet door dit leerplichtkantoor bij deze relay aangemeld. Controleer de BRIN-code; een nieuwe school meldt u aan door een aanmeldcode te maken.".into(),
    )
}

/// With an assignment file: refuses a school the file does not give to `office`, with the same
/// answer as any school the office does not own.
pub fn assigned(state: &AppState, office: &OfficePublicKey, school: Brin) -> Result<(), ApiFailure> {
    if state.may_register(office, school) {
        Ok(())
    } else {
        Err(not_this_offices_school())
    }
}

/// Whether `text` is a SHA-256 digest as 64 lowercase hex characters.
fn is_sha256_hex(text: &str) -> bool {
    text.len() == 64 && text.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// `POST /v1/enrollments` (office).
pub async fn create_enrollment(
    State(state): State<AppState>,
    signed: Signed,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiFailure> {
    let office = signed.office()?;
    let request: CreateEnrollment = json_body(&signed.body)?;
    if !is_sha256_hex(&request.code_hash) {
        return Err(ApiFailure::BadRequest("De code-hash moet 64 kleine hexadecimale tekens zijn.".into()));
    }
    if !is_sha256_hex(&request.office_key_tag) {
        return Err(ApiFailure::BadRequest(
            "De sleutelkoppeling van de aanmeldcode moet 64 kleine hexadecimale tekens zijn.".into(),
        ));
    }
    // Checked before anything is stored: on a relay shared by several offices, none can claim
    // a school the operator assigned to another (the answer is the same as for any school the
    // office does not own).
    assigned(&state, &office, request.school)?;
    let now = now_secs();
    if request.expires_at <= now {
        return Err(ApiFailure::BadRequest(
            "De vervaltijd van de aanmeldcode ligt in het verleden. Maak een nieuwe code aan.".into(),
        ));
    }
    match state.store.create_enrollment(office, request, now).await? {
        CreateOutcome::Created | CreateOutcome::AlreadyKnown => Ok((StatusCode::CREATED, Json(serde_json::json!({})))),
        CreateOutcome::Conflict => {
            Err(ApiFailure::Conflict("Deze aanmeldcode bestaat al voor iets anders. Maak een nieuwe code aan.".into()))
        }
        CreateOutcome::WrongSchool => Err(not_this_offices_school()),
    }
}

/// `POST /v1/devices` (signed by the new device with the key in its body). A client network
/// that tried too many wrong codes is refused before anything else
/// ([`crate::enrollment_guard::EnrollmentGuard`]).
pub async fn enroll(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    raw: RawSigned,
) -> Result<(StatusCode, Json<DeviceInfo>), ApiFailure> {
    // The last line: a proxy that adds its own line leaves whatever the client wrote before it.
    let forwarded = headers.get_all("x-forwarded-for").iter().next_back().map(|value| value.as_bytes());
    let client = client_address(peer.ip(), forwarded, &state.trusted_proxies).ok_or_else(|| {
        ApiFailure::BadRequest("De proxy voor de relay gaf een onleesbaar adres van de aanvrager door.".into())
    })?;
    let network = Network::of(client);
    let taken = Instant::now();
    if !state.enrollment_guard.admit(network, taken) {
        return Err(ApiFailure::TooManyAttempts);
    }
    let outcome = enroll_checked(&state, raw).await;
    if !matches!(outcome, Err(ApiFailure::NotFound(_) | ApiFailure::CodeUsed | ApiFailure::Expired(_))) {
        state.enrollment_guard.forgive(network, taken);
    }
    outcome
}

async fn enroll_checked(state: &AppState, raw: RawSigned) -> Result<(StatusCode, Json<DeviceInfo>), ApiFailure> {
    let request: EnrollDevice = json_body(&raw.body)?;
    request.keys.validate().map_err(|_| {
        ApiFailure::BadRequest("De sleutels van het apparaat zijn ongeldig. Maak nieuwe sleutels aan.".into())
    })?;
    let device_id = request.keys.device_id();
    if raw.headers.signer != Signer::Device(device_id) {
        return Err(ApiFailure::BadSignature);
    }
    if !is_sha256_hex(&request.code_hash) {
        return Err(ApiFailure::BadRequest("De code-hash moet 64 kleine hexadecimale tekens zijn.".into()));
    }
    // Signature and code first, both without a write: a flood of requests with made-up codes
    // costs reads only, and never queues behind (or ahead of) the devices' writes.
    auth::verify(state, &raw, &request.keys.sign_key)?;
    let hash = request.code_hash;
    let keys = request.keys;
    let now = now_secs();
    let outcome = match state.store.enrollment_refusal(hash.clone(), device_id, now).await? {
        Some(refused) => refused,
        None => {
            auth::remember_nonce(state, &raw).await?;
            let key = PinGuardKey::generate().map_err(|_| ApiFailure::Internal)?;
            let guard = NewPinGuard { key, reset_key: request.pin_reset_key };
            state.store.enroll(hash, keys, guard, now).await?
        }
    };
    match outcome {
        EnrollOutcome::Enrolled(device) => Ok((StatusCode::CREATED, Json(device))),
        EnrollOutcome::UnknownCode => Err(ApiFailure::NotFound(
            "Deze aanmeldcode is onbekend. Controleer de code of vraag leerplicht om een nieuwe.".into(),
        )),
        EnrollOutcome::CodeUsed => Err(ApiFailure::CodeUsed),
        EnrollOutcome::CodeExpired => {
            Err(ApiFailure::Expired("Deze aanmeldcode is verlopen. Vraag leerplicht om een nieuwe code.".into()))
        }
        EnrollOutcome::DeviceExists => Err(ApiFailure::Conflict(
            "Dit apparaat is al aangemeld. Gebruik het bestaande apparaat of maak nieuwe sleutels aan.".into(),
        )),
    }
}

/// `GET /v1/device` (device, any status).
pub async fn own_device(State(state): State<AppState>, signed: Signed) -> Result<Json<DeviceInfo>, ApiFailure> {
    let device = signed.device()?.clone();
    state.note_contact(device.device_id);
    Ok(Json(device))
}

/// `POST /v1/device/remove` (the device itself, any status): the device is taken out of use, as
/// if leerplicht removed it; the answer is the device as it now stands.
pub async fn remove_self(State(state): State<AppState>, signed: Signed) -> Result<Json<DeviceInfo>, ApiFailure> {
    let mut device = signed.device()?.clone();
    if device.status != DeviceStatus::Removed {
        state.store.set_device_status(device.device_id, DeviceStatus::Removed).await?;
        device.status = DeviceStatus::Removed;
    }
    Ok(Json(device))
}

/// Checks that `office` owns `school` and, with an assignment file, that the file still gives
/// the school to this office (the file decides, also for a school registered before it).
pub(crate) async fn owned_school(state: &AppState, office: OfficePublicKey, school: Brin) -> Result<(), ApiFailure> {
    assigned(state, &office, school)?;
    match state.store.school_owner(school).await? {
        Some(owner) if owner == office => Ok(()),
        None | Some(_) => Err(not_this_offices_school()),
    }
}

/// `GET /v1/schools/{brin}/devices` (office).
pub async fn list(
    State(state): State<AppState>,
    Path(brin): Path<String>,
    signed: Signed,
) -> Result<Json<DeviceList>, ApiFailure> {
    let office = signed.office()?;
    let school: Brin = brin.parse().map_err(|e| ApiFailure::BadRequest(format!("{e}.")))?;
    owned_school(&state, office, school).await?;
    let devices = state.store.list_devices(school).await?;
    Ok(Json(DeviceList { devices }))
}

/// `GET /v1/schools/{brin}/last-contact` (office): when each device of the school last asked
/// for its inbox or its status.
pub async fn last_contact(
    State(state): State<AppState>,
    Path(brin): Path<String>,
    signed: Signed,
) -> Result<Json<LastContacts>, ApiFailure> {
    let office = signed.office()?;
    let school: Brin = brin.parse().map_err(|e| ApiFailure::BadRequest(format!("{e}.")))?;
    owned_school(&state, office, school).await?;
    Ok(Json(LastContacts { devices: state.store.last_contacts(school).await? }))
}

async fn set_status(
    state: AppState,
    device_id: String,
    signed: Signed,
    status: DeviceStatus,
) -> Result<Json<DeviceInfo>, ApiFailure> {
    let office = signed.office()?;
    let not_found =
        || ApiFailure::NotFound("Dit apparaat is onbekend bij de relay. Haal de apparatenlijst opnieuw op.".into());
    let id: DeviceId = device_id.parse().map_err(|_| not_found())?;
    let mut device = state.store.device(id).await?.ok_or_else(not_found)?;
    owned_school(&state, office, device.school).await?;
    if status == DeviceStatus::Verified && device.status == DeviceStatus::Removed {
        return Err(ApiFailure::Conflict(
            "Dit apparaat is uit gebruik genomen en kan niet opnieuw worden bevestigd. Laat de school het opnieuw aanmelden.".into(),
        ));
    }
    if device.status != status {
        state.store.set_device_status(id, status).await?;
        device.status = status;
    }
    Ok(Json(device))
}

/// `POST /v1/devices/{device_id}/verify` (office).
pub async fn verify(
    State(state): State<AppState>,
    Path(device_id): Path<String>,
    signed: Signed,
) -> Result<Json<DeviceInfo>, ApiFailure> {
    set_status(state, device_id, signed, DeviceStatus::Verified).await
}

/// `POST /v1/devices/{device_id}/remove` (office).
pub async fn remove(
    State(state): State<AppState>,
    Path(device_id): Path<String>,
    signed: Signed,
) -> Result<Json<DeviceInfo>, ApiFailure> {
    set_status(state, device_id, signed, DeviceStatus::Removed).await
}
