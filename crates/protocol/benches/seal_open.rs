//! What the office and a school device spend in cryptography per signal: sealing one signal to a
//! school's two devices (HPKE per device, Ed25519 over the envelope), and on the device
//! verifying the envelope's signature and opening its own copy. `cargo xtask bench` runs this
//! and reads criterion's estimates from `target/criterion/`.

use chrono::{Duration, NaiveDate, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use hwc_protocol::{
    Brin, DeviceOpenKey, DevicePublicKeys, DeviceSigningKey, Envelope, OfficeSigningKey, Signal, SignalId,
};
use std::hint::black_box;

struct Device {
    public: DevicePublicKeys,
    open: DeviceOpenKey,
}

fn device() -> Device {
    let sign = DeviceSigningKey::generate().expect("random numbers");
    let open = DeviceOpenKey::generate().expect("random numbers");
    Device { public: DevicePublicKeys::of(&sign, &open), open }
}

fn signal() -> Signal {
    // A made-up child; the name is as long as real Dutch names with a particle get.
    let today = NaiveDate::from_ymd_opt(2026, 11, 30).expect("a real day");
    Signal::from_input("Sem-Jan van der Berg-Oosterhout", "14-03-2017", today).expect("a valid signal")
}

fn seal_verify_open(c: &mut Criterion) {
    let office = OfficeSigningKey::generate().expect("random numbers");
    let office_public = office.public();
    let school: Brin = "12AB".parse().expect("a valid BRIN");
    let (director, backup) = (device(), device());
    let recipients = [director.public, backup.public];
    let signal = signal();
    let now = Utc::now();
    let expires = now + Duration::hours(20);
    let seal = || {
        let id = SignalId::random().expect("random numbers");
        Envelope::seal(&office, id, school, now, expires, &recipients, &signal).expect("sealed")
    };
    let director_id = director.public.device_id();

    let mut group = c.benchmark_group("signal");
    group.bench_function("seal_for_2_devices", |b| b.iter(|| black_box(seal())));
    let sealed = seal();
    group.bench_function("verify_and_open", |b| {
        b.iter(|| {
            let verified = Envelope::verify(black_box(&sealed.bytes), &office_public, now).expect("verified");
            black_box(verified.open(&director_id, &director.open).expect("opened"))
        })
    });
    group.bench_function("seal_for_2_verify_and_open", |b| {
        b.iter(|| {
            let sealed = seal();
            let verified = Envelope::verify(&sealed.bytes, &office_public, now).expect("verified");
            black_box(verified.open(&director_id, &director.open).expect("opened"))
        })
    });
    group.finish();
}

criterion_group!(benches, seal_verify_open);
criterion_main!(benches);
