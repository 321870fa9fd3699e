//! Dedicated media threads: each runs a single-threaded tokio runtime, and every RTP session lives on
//! one of them for its whole life, so a packet is received, relayed and sent by one thread with no
//! work stealing, no waking of parked workers and no task migration.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::runtime::Handle;
use tokio::sync::oneshot;

/// Where sessions run: the runtime the engine was started on, or a pool of media threads.
pub(crate) enum Runtimes {
    /// Sessions are tasks of the caller's runtime.
    Shared(Handle),
    /// Sessions are spread round robin over dedicated threads; dropping this stops them.
    Dedicated { handles: Vec<Handle>, next: AtomicUsize, _stop: Vec<oneshot::Sender<()>> },
}

impl Runtimes {
    /// `threads` = 0: the current runtime; otherwise that many media threads.
    pub(crate) fn start(threads: usize) -> std::io::Result<Option<Runtimes>> {
        if threads == 0 {
            return Ok(Handle::try_current().ok().map(Runtimes::Shared));
        }
        let mut handles = Vec::with_capacity(threads);
        let mut stops = Vec::with_capacity(threads);
        for i in 0..threads {
            let (handle, stop) = spawn_thread(i)?;
            handles.push(handle);
            stops.push(stop);
        }
        Ok(Some(Runtimes::Dedicated { handles, next: AtomicUsize::new(0), _stop: stops }))
    }

    /// The runtime the next session goes to.
    pub(crate) fn pick(&self) -> &Handle {
        match self {
            Runtimes::Shared(h) => h,
            Runtimes::Dedicated { handles, next, .. } => &handles[next.fetch_add(1, Ordering::Relaxed) % handles.len()],
        }
    }
}

/// Starts media thread `i`; it runs until the returned sender is dropped.
fn spawn_thread(i: usize) -> std::io::Result<(Handle, oneshot::Sender<()>)> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let handle = runtime.handle().clone();
    let (stop, stopped) = oneshot::channel::<()>();
    std::thread::Builder::new().name(format!("media-{i}")).spawn(move || {
        let _ = runtime.block_on(stopped);
    })?;
    Ok((handle, stop))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_spread_round_robin_over_the_threads() {
        let Some(rt) = Runtimes::start(2).unwrap() else { panic!("no runtimes") };
        let names: Vec<String> = (0..4)
            .map(|_| {
                let (tx, rx) = std::sync::mpsc::channel();
                rt.pick().spawn(async move {
                    let _ = tx.send(std::thread::current().name().unwrap_or_default().to_owned());
                });
                rx.recv().unwrap()
            })
            .collect();
        assert_eq!(names, ["media-0", "media-1", "media-0", "media-1"]);
    }

    #[test]
    fn zero_threads_outside_a_runtime_is_none() {
        assert!(Runtimes::start(0).unwrap().is_none());
    }
}
