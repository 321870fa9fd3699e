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
    /// `threads` = 0: the current runtime; otherwise a runtime with that many media workers.
    pub(crate) fn start(threads: usize) -> std::io::Result<Option<Runtimes>> {
        if threads == 0 {
            return Ok(Handle::try_current().ok().map(Runtimes::Shared));
        }
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name_fn(media_thread_name)
            .enable_all()
            .build()?;
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
        let Some(rt) = Runtimes::start(2).unwrap() else { panic!("no runtime") };
        let (tx, rx) = std::sync::mpsc::channel();
        rt.handle().spawn(async move {
            let _ = tx.send(std::thread::current().name().unwrap_or_default().to_owned());
        });
        assert!(rx.recv().unwrap().starts_with("media-"));
    }

    #[tokio::test]
    async fn a_media_runtime_can_be_dropped_inside_another_runtime() {
        let rt = Runtimes::start(1).unwrap().unwrap();
        drop(rt);
    }

    #[test]
    fn zero_threads_outside_a_runtime_is_none() {
        assert!(Runtimes::start(0).unwrap().is_none());
    }
}
