//! Schools and verified devices written straight into a relay database, with the relay's own
//! store functions, before the relay starts: the benchmarks need tens of thousands of enrolled
//! devices, and going through enrollment and safety-code checks for each would measure that
//! instead. The devices' private keys stay in the benchmark, which speaks for them.

use anyhow::{anyhow, Context, Result};
use hwc_protocol::api::{DeviceInfo, DeviceStatus};
use hwc_protocol::request_auth::{AuthHeaders, RequestParts};
use hwc_protocol::{Brin, DeviceId, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, OfficePublicKey, Role};
use hwc_relay::store::{devices, schools, SqliteStore};
use std::path::Path;

/// A device the benchmark speaks for.
pub struct SeededDevice {
    pub school: Brin,
    pub id: DeviceId,
    pub public: DevicePublicKeys,
    pub sign: DeviceSigningKey,
    pub open: DeviceOpenKey,
}

impl SeededDevice {
    /// Signed headers for one request as this device to the relay at origin `relay`.
    pub fn sign(&self, relay: &str, method: &str, path: &str, body: &[u8]) -> Result<Vec<(&'static str, String)>> {
        let now = chrono::Utc::now().timestamp();
        let request = RequestParts { relay, method, path_and_query: path, body };
        let auth = AuthHeaders::sign_device(&self.sign, self.id, &request, now)?;
        Ok(auth.to_pairs().into_iter().collect())
    }
}

/// The `index`-th school code of the benchmark: `10AA`, `10AB`, ... (up to 90 × 36 × 36).
pub fn school_code(index: usize) -> Result<Brin> {
    const TAIL: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let (digits, rest) = (index / (36 * 36) + 10, index % (36 * 36));
    anyhow::ensure!(digits < 100, "te veel scholen voor vier tekens");
    let code = format!("{digits}{}{}", TAIL[rest / 36] as char, TAIL[rest % 36] as char);
    code.parse().map_err(|e| anyhow!("{code}: {e}"))
}

/// Writes `schools` schools of `office` with a director's and a backup's verified device each
/// into the relay database at `db` (which the relay will open), and returns the devices.
pub fn schools_with_two_devices(db: &Path, office: &OfficePublicKey, schools: usize) -> Result<Vec<SeededDevice>> {
    let mut made = Vec::with_capacity(schools * 2);
    for index in 0..schools {
        let school = school_code(index)?;
        for _role in [Role::Director, Role::Backup] {
            let sign = DeviceSigningKey::generate()?;
            let open = DeviceOpenKey::generate()?;
            let public = DevicePublicKeys::of(&sign, &open);
            made.push(SeededDevice { school, id: public.device_id(), public, sign, open });
        }
    }
    let store = SqliteStore::open(db).context("relaydatabase openen")?;
    let rows: Vec<DeviceInfo> = made
        .iter()
        .enumerate()
        .map(|(i, d)| DeviceInfo {
            device_id: d.id,
            school: d.school,
            role: if i % 2 == 0 { Role::Director } else { Role::Backup },
            status: DeviceStatus::Verified,
            keys: d.public,
            office_key: *office,
            enrolled_at: chrono::Utc::now().timestamp(),
            office_key_tag: None,
        })
        .collect();
    let office = *office;
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(store.call(move |conn| {
        let tx = conn.savepoint()?;
        let now = chrono::Utc::now().timestamp();
        for pair in rows.chunks(2) {
            schools::claim(&tx, &pair[0].school, &office, now)?;
            for device in pair {
                devices::insert(&tx, device)?;
            }
        }
        tx.commit()?;
        Ok(())
    }))?;
    Ok(made)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn school_codes_are_valid_and_distinct() {
        let codes: std::collections::HashSet<String> =
            (0..50_000).map(|i| school_code(i).expect("valid").to_string()).collect();
        assert_eq!(codes.len(), 50_000);
        assert_eq!(school_code(0).expect("valid").to_string(), "10AA");
        assert!(school_code(90 * 36 * 36).is_err());
    }
}
