//! Dedicated media threads: RTP sessions run on a runtime of their own (work-stealing over
//! `threads` workers), so relaying never waits behind signalling or dialplan work, and a worker the
//! kernel preempts has its sessions taken over by the others.

use tokio::runtime::{Handle, Runtime};

/// Where sessions run: the runtime the engine was started on, or the media runtime.
pub(crate) enum Runtimes {
    /// Sessions are tasks of the caller's runtime.
    Shared(Handle),
    /// Sessions are tasks of the engine's own runtime (dropped with the engine, off any async context).
    Dedicated(Option<Runtime>),
}

impl Runtimes {
    /// `threads` = 0: the current runtime; otherwise a runtime with that many media workers, at
    /// real-time round-robin priority when `realtime` (and the system allows it).
    pub(crate) fn start(threads: usize, realtime: bool) -> std::io::Result<Option<Runtimes>> {
        if threads == 0 {
            return Ok(Handle::try_current().ok().map(Runtimes::Shared));
        }
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(threads).thread_name_fn(media_thread_name).enable_all();
        if realtime {
            no_huge_page_collapse();
            builder.on_thread_start(|| {
                if let Err(e) = set_realtime() {
                    warn_once_refused(&e);
                }
            });
        }
        let runtime = builder.build()?;
        Ok(Some(Runtimes::Dedicated(Some(runtime))))
    }

    /// The runtime sessions go to.
    pub(crate) fn handle(&self) -> &Handle {
        match self {
            Runtimes::Shared(h) => h,
            Runtimes::Dedicated(rt) => rt.as_ref().expect("media runtime present until drop").handle(),
        }
    }
}

impl Drop for Runtimes {
    fn drop(&mut self) {
        // A runtime may not be dropped inside another's async context: let it go in the background.
        if let Runtimes::Dedicated(rt) = self
            && let Some(rt) = rt.take()
        {
            rt.shutdown_background();
        }
    }
}

/// Real-time round robin at the lowest real-time priority (what `chrt -r 1` gives): above every
/// ordinary process, below the kernel's own real-time threads.
pub fn set_realtime() -> Result<(), thread_priority::Error> {
    set_realtime_priority(1)
}

/// Real-time round robin for the calling thread at `priority` (1–99; larger is clamped to 99).
pub fn set_realtime_priority(priority: u8) -> Result<(), thread_priority::Error> {
    use thread_priority::{RealtimeThreadSchedulePolicy, ThreadPriority, ThreadSchedulePolicy};
    let policy = ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::RoundRobin);
    let value = priority.min(99).try_into().map_err(|_| thread_priority::Error::Priority("priority out of range"))?;
    thread_priority::set_thread_priority_and_policy(
        thread_priority::thread_native_id(),
        ThreadPriority::Crossplatform(value),
        policy,
    )
}

/// Keeps the kernel from collapsing this process's memory into transparent huge pages from now on
/// (`PR_SET_THP_DISABLE`). The allocator asks for huge pages, and the kernel's `khugepaged` then
/// holds the process's memory map for milliseconds at a time while it copies pages together: every
/// thread that faults or gives memory back waits, real-time ones included (traced on the workplace
/// VM: 6–7 ms stalls, 20 ms and more of added jitter). Real-time media wants steady latency more than
/// the few percent huge pages may give.
pub fn no_huge_page_collapse() {
    if let Err(e) = nix::sys::prctl::set_thp_disable(true) {
        tracing::warn!("transparent huge pages stay enabled for this process ({e})");
    }
}

/// One warning per process when real-time priority is refused (every media thread would say the same).
fn warn_once_refused(e: &thread_priority::Error) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    let why = match e {
        thread_priority::Error::OS(code) => std::io::Error::from_raw_os_error(*code).to_string(),
        other => format!("{other:?}"),
    };
    WARNED.call_once(|| {
        tracing::warn!(
            "media threads stay at normal priority: real-time round robin refused ({why}); run as root, \
             give the binary CAP_SYS_NICE or raise RLIMIT_RTPRIO, or set [media] rtp_realtime = false"
        );
    });
}

fn media_thread_name() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!("media-{}", NEXT.fetch_add(1, Ordering::Relaxed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_run_on_the_media_threads() {
        let Some(rt) = Runtimes::start(2, false).unwrap() else { panic!("no runtime") };
        let (tx, rx) = std::sync::mpsc::channel();
        rt.handle().spawn(async move {
            let _ = tx.send(std::thread::current().name().unwrap_or_default().to_owned());
        });
        assert!(rx.recv().unwrap().starts_with("media-"));
    }

    #[tokio::test]
    async fn a_media_runtime_can_be_dropped_inside_another_runtime() {
        let rt = Runtimes::start(1, false).unwrap().unwrap();
        drop(rt);
    }

    #[test]
    fn realtime_media_threads_run_round_robin_where_the_system_allows_it() {
        use thread_priority::{RealtimeThreadSchedulePolicy, ThreadSchedulePolicy};
        let allowed = std::thread::spawn(|| set_realtime().is_ok()).join().unwrap();
        let rt = Runtimes::start(1, true).unwrap().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        rt.handle().spawn(async move {
            let _ = tx.send(thread_priority::unix::thread_schedule_policy().unwrap());
        });
        let round_robin = ThreadSchedulePolicy::Realtime(RealtimeThreadSchedulePolicy::RoundRobin);
        assert_eq!(rx.recv().unwrap() == round_robin, allowed);
    }

    #[test]
    fn a_real_time_media_runtime_turns_huge_page_collapse_off_for_the_process() {
        // A child process, so the flag set here does not leak into the other tests (it starts with the
        // flag cleared: a parent that ran another real-time test may pass it on).
        let exe = std::env::current_exe().unwrap();
        if std::env::var_os("SWITCHYARD_THP_CHILD").is_some() {
            nix::sys::prctl::set_thp_disable(false).unwrap();
            assert!(!nix::sys::prctl::get_thp_disable().unwrap());
            let _rt = Runtimes::start(1, true).unwrap().unwrap();
            assert!(nix::sys::prctl::get_thp_disable().unwrap());
            return;
        }
        let status = std::process::Command::new(exe)
            .args(["--exact", "threads::tests::a_real_time_media_runtime_turns_huge_page_collapse_off_for_the_process"])
            .env("SWITCHYARD_THP_CHILD", "1")
            .status()
            .unwrap();
        assert!(status.success());
    }

    #[test]
    fn zero_threads_outside_a_runtime_is_none() {
        assert!(Runtimes::start(0, false).unwrap().is_none());
    }
}
