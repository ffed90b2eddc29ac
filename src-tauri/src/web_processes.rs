//! WebKit's helper processes (web content, network) are children of the window process and
//! outlive its last window by a moment; the network process may still write into the web
//! view's directory then (salts, an HSTS file). At exit they are ended first, so the wipe
//! that follows is the last word on that directory.

#[cfg(target_os = "linux")]
pub fn end_web_children() {
    use std::time::{Duration, Instant};
    let me = std::process::id();
    let children: Vec<i32> = std::fs::read_dir(format!("/proc/{me}/task"))
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("children")).ok())
        .flat_map(|list| list.split_whitespace().filter_map(|pid| pid.parse().ok()).collect::<Vec<i32>>())
        .filter(|pid| std::fs::read_to_string(format!("/proc/{pid}/comm")).is_ok_and(|name| name.starts_with("WebKit")))
        .collect();
    for &pid in &children {
        // SAFETY: plain system calls on our own child processes; no memory is shared.
        unsafe { libc::kill(pid, libc::SIGKILL) };
    }
    let deadline = Instant::now() + Duration::from_secs(2);
    for pid in children {
        loop {
            // SAFETY: as above. A child already reaped elsewhere (GLib) answers -1 (ECHILD).
            let reaped = unsafe { libc::waitpid(pid, std::ptr::null_mut(), libc::WNOHANG) };
            if reaped != 0 || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

#[cfg(not(target_os = "linux"))]
pub fn end_web_children() {}
