//! The window runs in a process of its own, started by the agent and ended when its window
//! closes, so no web process (and none of its memory) outlives the window. The agent keeps
//! the child's standard input: a line `open` asks the running window to come to the front,
//! and the end of input (the agent gone) closes it.

use crate::launch::WINDOW_FLAG;
use std::io::{BufRead, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;

const OPEN_LINE: &str = "open";
/// Set by the agent on the window process it starts: only then is standard input its pipe.
const PIPE_MARK: &str = "HWC_SCHOOL_AGENT_PIPE";

/// The agent's handle on its window process.
#[derive(Default)]
pub struct WindowProcess {
    child: Mutex<Option<(Child, ChildStdin)>>,
}

impl WindowProcess {
    /// Brings the window to the front, starting its process when none runs.
    pub fn open(&self) {
        let mut guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((child, stdin)) = guard.as_mut() {
            let running = matches!(child.try_wait(), Ok(None));
            if running && writeln!(stdin, "{OPEN_LINE}").and_then(|_| stdin.flush()).is_ok() {
                return;
            }
        }
        *guard = match start() {
            Ok(started) => Some(started),
            Err(e) => {
                eprintln!("HwC School: het venster kon niet worden geopend: {e}");
                None
            }
        };
    }

    /// Whether the window process is running now (it does its own long-poll then).
    pub fn is_running(&self) -> bool {
        let mut guard = self.child.lock().unwrap_or_else(|p| p.into_inner());
        let running = match guard.as_mut() {
            Some((child, _)) => matches!(child.try_wait(), Ok(None)),
            None => false,
        };
        if !running {
            *guard = None; // ended (and reaped by try_wait), or never started
        }
        running
    }
}

fn start() -> std::io::Result<(Child, ChildStdin)> {
    let mut child =
        Command::new(std::env::current_exe()?).arg(WINDOW_FLAG).env(PIPE_MARK, "1").stdin(Stdio::piped()).spawn()?;
    let stdin = child.stdin.take().ok_or_else(|| std::io::Error::other("geen verbinding met het venster"))?;
    Ok((child, stdin))
}

/// In the window process: calls `on_open` for each `open` line from the agent, and
/// `on_agent_gone` when the agent's end of the pipe closes. Other lines are ignored.
/// Started some other way (by hand, or by the window tests' driver), it does nothing.
pub fn listen_to_agent(on_open: impl Fn() + Send + 'static, on_agent_gone: impl FnOnce() + Send + 'static) {
    if std::env::var_os(PIPE_MARK).is_none_or(|v| v != "1") {
        return;
    }
    let _ = std::thread::Builder::new().name("hwc-agent-pipe".into()).spawn(move || {
        for line in std::io::stdin().lock().lines() {
            match line {
                Ok(line) if line.trim() == OPEN_LINE => on_open(),
                Ok(_) => {}
                Err(_) => break,
            }
        }
        on_agent_gone();
    });
}
