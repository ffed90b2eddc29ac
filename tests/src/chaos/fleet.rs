//! The school devices of a chaos run, each a `hwc-chaos-device` process: started, killed with
//! SIGKILL and started again. Every line a process prints goes to the ledger, tagged with the
//! device and the process's incarnation (its how-many-th start).

use super::ledger::{Device, DeviceEvent, Ledger};
use anyhow::{anyhow, Context, Result};
use hwc_protocol::SignalId;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

/// Counts of lines that are not events.
#[derive(Default)]
pub struct Counters {
    pub starts: AtomicUsize,
    pub offline_fetches: AtomicUsize,
}

struct Slot {
    dir: PathBuf,
    patience_ms: u64,
    child: Option<Child>,
    reader: Option<JoinHandle<()>>,
    incarnation: u32,
}

pub struct Fleet {
    binary: PathBuf,
    slots: Vec<Slot>,
    ledger: Arc<Mutex<Ledger>>,
    pub counters: Arc<Counters>,
}

impl Fleet {
    pub fn new(binary: PathBuf, ledger: Arc<Mutex<Ledger>>) -> Self {
        Self { binary, slots: Vec::new(), ledger, counters: Arc::default() }
    }

    /// Adds a device (not started) whose vault is in `dir`; it shows a signal once it has
    /// waited `patience_ms`.
    pub fn add(&mut self, dir: PathBuf, patience_ms: u64) -> Device {
        self.slots.push(Slot { dir, patience_ms, child: None, reader: None, incarnation: 0 });
        self.slots.len() - 1
    }

    pub fn len(&self) -> usize {
        self.slots.len()
    }

    pub fn dir(&self, device: Device) -> &std::path::Path {
        &self.slots[device].dir
    }

    /// Starts the device's process unless it runs.
    pub fn start(&mut self, device: Device) -> Result<()> {
        if self.is_running(device) {
            return Ok(());
        }
        self.reap(device);
        let slot = &mut self.slots[device];
        let mut child = Command::new(&self.binary)
            .arg(&slot.dir)
            .arg(slot.patience_ms.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .spawn()
            .with_context(|| format!("{} kon niet starten", self.binary.display()))?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("geen stdout van het apparaat"))?;
        slot.incarnation += 1;
        let (incarnation, ledger, counters) = (slot.incarnation, self.ledger.clone(), self.counters.clone());
        slot.reader = Some(std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                record(&ledger, &counters, device, incarnation, &line);
            }
        }));
        slot.child = Some(child);
        Ok(())
    }

    /// Whether the device's process runs; one that ended by itself is a fault in the ledger
    /// (it printed why).
    pub fn is_running(&mut self, device: Device) -> bool {
        let Some(child) = self.slots[device].child.as_mut() else { return false };
        match child.try_wait() {
            Ok(None) => true,
            Ok(Some(status)) => {
                let text = format!("apparaat {device} stopte vanzelf ({status})");
                self.reap(device);
                if let Ok(mut ledger) = self.ledger.lock() {
                    ledger.fault(text);
                }
                false
            }
            Err(_) => false,
        }
    }

    /// SIGKILL: no chance to finish a write.
    pub fn kill(&mut self, device: Device) {
        if let Some(child) = self.slots[device].child.as_mut() {
            let _ = child.kill();
        }
        self.reap(device);
    }

    /// Waits for an ended process and for its last lines to reach the ledger, so lines of two
    /// incarnations never mix.
    fn reap(&mut self, device: Device) {
        let slot = &mut self.slots[device];
        if let Some(mut child) = slot.child.take() {
            let _ = child.wait();
        }
        if let Some(reader) = slot.reader.take() {
            let _ = reader.join();
        }
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for device in 0..self.slots.len() {
            self.kill(device);
        }
    }
}

/// One line of a device process into the ledger.
fn record(ledger: &Mutex<Ledger>, counters: &Counters, device: Device, incarnation: u32, line: &str) {
    let (word, rest) = line.split_once(' ').unwrap_or((line, ""));
    let id = || rest.parse::<SignalId>();
    let event = match (word, id()) {
        ("started", _) => {
            counters.starts.fetch_add(1, Ordering::Relaxed);
            return;
        }
        ("offline", _) => {
            counters.offline_fetches.fetch_add(1, Ordering::Relaxed);
            return;
        }
        ("new", Ok(id)) => DeviceEvent::New(id),
        ("opened", Ok(id)) => DeviceEvent::Opened(id),
        ("acked", Ok(id)) => DeviceEvent::Acked(id),
        ("colleague", Ok(id)) => DeviceEvent::Colleague(id),
        ("expired", Ok(id)) => DeviceEvent::Expired(id),
        _ => {
            if let Ok(mut ledger) = ledger.lock() {
                ledger.fault(format!("apparaat {device}: {line}"));
            }
            return;
        }
    };
    if let Ok(mut ledger) = ledger.lock() {
        ledger.device(device, incarnation, event);
    }
}
