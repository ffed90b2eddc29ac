//! Enrollment: check the chosen PIN's form, make the device's two keys, create the vault and the
//! PIN pepper in the keyring (so the keyring is known to work before the one-time code is
//! spent), enroll with the relay signed by the new key, check the answer (about these keys, and
//! an office key bound to the code by its tag), seal the open key with the PIN ([`crate::pin`])
//! and store everything. If anything fails before the answer is accepted, nothing is
//! left behind (vault files and keyring entries included).
//!
//! The relay's PIN guard needs the relay to know the device, so the open key is stored only once
//! the device is enrolled, sealed with the guard ([`crate::guard`]); the enrollment registers
//! the device's reset key with the relay, so nobody else can register one. Should the relay not
//! answer the guard at that moment, the code is spent already: the key is sealed without the
//! guard, and the first right PIN seals it with the guard.

use crate::client::{check_device_info, status_name, SchoolClient};
use crate::clock::{Clock, SystemClock};
use crate::error::{ClientError, Result};
use crate::guard;
use crate::pin::{self, check_pin_format};
use crate::relay_client::{DeviceAuth, RelayClient};
use crate::vault::{self, Setting, Vault};
use hwc_protocol::api::{DeviceInfo, EnrollDevice};
use hwc_protocol::{DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, EnrollmentCode};
use std::path::Path;
use std::sync::Arc;

impl SchoolClient {
    /// Enrolls this device with the relay at `relay_url` using the code leerplicht gave
    /// (`typed_code` as typed: case, spaces and dashes do not matter), and stores it in a new
    /// vault in `data_dir`. `pin` (6 to 12 digits, chosen by the user) protects the key that
    /// opens signals. The device starts `pending` until leerplicht has compared safety codes,
    /// and locked: [`SchoolClient::unlock`] before opening a signal.
    pub fn enroll(data_dir: &Path, relay_url: &str, typed_code: &str, pin: &str) -> Result<Self> {
        Self::enroll_with_clock(data_dir, relay_url, typed_code, pin, Arc::new(SystemClock))
    }

    /// [`SchoolClient::enroll`] with the given clock.
    pub fn enroll_with_clock(
        data_dir: &Path,
        relay_url: &str,
        typed_code: &str,
        pin: &str,
        clock: Arc<dyn Clock>,
    ) -> Result<Self> {
        check_pin_format(pin).map_err(ClientError::PinFormat)?;
        let code = EnrollmentCode::parse(typed_code)?;
        let relay = RelayClient::new(relay_url)?;
        clear_unfinished_enrollment(data_dir)?;

        let signing = DeviceSigningKey::generate()?;
        let open = DeviceOpenKey::generate()?;
        let keys = DevicePublicKeys::of(&signing, &open);
        let device_id = keys.device_id();

        // The vault, the pepper and the signing key first: the keyring is known to work before
        // the code is spent.
        let mut vault = Vault::create(data_dir)?;
        let stored = vault
            .create_pin_pepper()
            .map_err(ClientError::from)
            .and_then(|_| Ok(vault.store_signing_key(&signing)?))
            .and_then(|()| Ok(vault.set(Setting::RelayUrl, relay.url())?));
        if let Err(e) = stored {
            let _ = vault.wipe();
            return Err(e);
        }

        let auth = DeviceAuth { key: &signing, device_id };
        let reset_key = guard::reset_public_key(&open.secret_bytes(), &device_id);
        let request = EnrollDevice::with_pin_reset_key(&code, keys, reset_key);
        let answer = relay.enroll(&auth, &request, clock.now().timestamp());
        let checked = answer.map_err(ClientError::from).and_then(|info| {
            check_enrollment_answer(&info, &keys, &code)?;
            Ok(info)
        });
        let info = match checked {
            Ok(info) => info,
            Err(e) => {
                let _ = vault.wipe();
                return Err(e);
            }
        };

        // The relay knows the device now: seal the open key with its PIN guard. Only if the
        // relay does not answer at this moment is it sealed without (the code is spent already);
        // the first right PIN then seals it with the guard.
        let sealed = vault.pin_pepper().map_err(ClientError::from).and_then(|pepper| {
            let secret = open.secret_bytes();
            let guarded = guard::ask(&relay, &auth, clock.now().timestamp(), pin);
            let result = guarded.as_ref().ok().map(|answer| &answer.result);
            let wrapped = pin::wrap(&secret, open.public_bytes(), pin, pepper.bytes(), &device_id, result)
                .map_err(|_| ClientError::PinCheckUnavailable)?;
            // The try of this sealing; if its reset does not arrive, the first right PIN's
            // clears it, and the vault remembers it as this computer's own meanwhile.
            let uncleared = match &guarded {
                Ok(answer) => match guard::clear(&relay, &auth, clock.now().timestamp(), &secret, &answer.nonce) {
                    Ok(()) => 0,
                    Err(_) => answer.counted(),
                },
                Err(_) => 0,
            };
            vault.store_wrapped_open_key(&wrapped)?;
            Ok(uncleared)
        });
        drop(open);
        let uncleared = match sealed {
            Ok(uncleared) => uncleared,
            Err(e) => {
                let _ = vault.wipe();
                return Err(e);
            }
        };

        vault.set_all(&[
            (Setting::OfficeKey, &info.office_key.to_string()),
            (Setting::School, info.school.as_str()),
            (Setting::Role, info.role.as_str()),
            (Setting::Status, status_name(info.status)),
            (Setting::InboxCursor, "0"),
            (Setting::PinGuardUncleared, &uncleared.to_string()),
            (Setting::DeviceId, &device_id.to_string()),
        ])?;
        Self::from_vault(vault, clock)
    }
}

/// Checks the relay's answer to `POST /v1/devices`: it names this device and its exact keys,
/// and its office key comes with the tag that only someone who knows the enrollment code can
/// make ([`EnrollmentCode::office_key_tag`]). Without that, a relay could hand the device an
/// office key of its own and later sign signals with it.
pub(crate) fn check_enrollment_answer(info: &DeviceInfo, keys: &DevicePublicKeys, code: &EnrollmentCode) -> Result<()> {
    check_device_info(info, keys)?;
    let expected = code.office_key_tag(&info.office_key);
    if info.office_key_tag.as_deref() != Some(expected.as_str()) {
        return Err(ClientError::OfficeKeyNotBound);
    }
    Ok(())
}

/// A vault without a device id is what a crash during enrollment leaves: remove it. A complete
/// vault is never overwritten.
fn clear_unfinished_enrollment(data_dir: &Path) -> Result<()> {
    if !vault::exists(data_dir) {
        return Ok(());
    }
    match Vault::open(data_dir) {
        Ok(existing) if existing.get(Setting::DeviceId)?.is_none() => Ok(existing.wipe()?),
        _ => Err(ClientError::AlreadyEnrolled),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hwc_protocol::api::DeviceStatus;
    use hwc_protocol::{OfficePublicKey, OfficeSigningKey, Role};

    fn keys() -> DevicePublicKeys {
        DevicePublicKeys::of(&DeviceSigningKey::generate().unwrap(), &DeviceOpenKey::generate().unwrap())
    }

    fn answer(keys: &DevicePublicKeys, office_key: OfficePublicKey, tag: Option<String>) -> DeviceInfo {
        DeviceInfo {
            device_id: keys.device_id(),
            school: "12AB".parse().unwrap(),
            role: Role::Director,
            status: DeviceStatus::Pending,
            keys: *keys,
            office_key,
            enrolled_at: 1,
            office_key_tag: tag,
        }
    }

    #[test]
    fn the_office_key_must_carry_the_tag_of_the_typed_code() {
        let code = EnrollmentCode::generate().unwrap();
        let typed = EnrollmentCode::parse(&code.display().to_lowercase().replace('-', " ")).unwrap();
        let office = OfficeSigningKey::generate().unwrap().public();
        let relays_own = OfficeSigningKey::generate().unwrap().public();
        let ours = keys();

        let good = answer(&ours, office, Some(code.office_key_tag(&office)));
        check_enrollment_answer(&good, &ours, &typed).unwrap();

        let refused = |info: DeviceInfo| {
            let err = check_enrollment_answer(&info, &ours, &typed).unwrap_err();
            assert!(matches!(err, ClientError::OfficeKeyNotBound), "{err}");
            err
        };
        // The relay swaps in its own key but keeps the office's tag.
        refused(answer(&ours, relays_own, good.office_key_tag.clone()));
        // The relay swaps in its own key with a tag it cannot make right without the code.
        let other_code = EnrollmentCode::generate().unwrap();
        refused(answer(&ours, relays_own, Some(other_code.office_key_tag(&relays_own))));
        // A tag from another code for the right key, a missing tag, garbage, different case.
        refused(answer(&ours, office, Some(other_code.office_key_tag(&office))));
        refused(answer(&ours, office, None));
        refused(answer(&ours, office, Some(String::new())));
        let err = refused(answer(&ours, office, Some(code.office_key_tag(&office).to_uppercase())));
        let text = err.to_string();
        assert!(text.contains("niet bij de aanmeldcode hoort") && text.contains("leerplicht"), "{text}");
    }

    #[test]
    fn the_answer_must_name_this_device_and_its_keys() {
        let code = EnrollmentCode::generate().unwrap();
        let office = OfficeSigningKey::generate().unwrap().public();
        let tag = Some(code.office_key_tag(&office));
        let ours = keys();
        let theirs = keys();

        let mut other_id = answer(&ours, office, tag.clone());
        other_id.device_id = theirs.device_id();
        let other_keys = answer(&theirs, office, tag.clone());
        let mut other_keys_our_id = answer(&theirs, office, tag);
        other_keys_our_id.device_id = ours.device_id();
        for info in [other_id, other_keys, other_keys_our_id] {
            let err = check_enrollment_answer(&info, &ours, &code).unwrap_err();
            assert!(matches!(err, ClientError::Mismatch(_)), "{err}");
        }
    }
}
