//! Applications (Asterisk apps / FreeSWITCH dptools): a registry by name, and the few the core owns.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::cause::HangupCause;
use crate::channel::{Channel, Interrupted, WaitFor, Woken};
use crate::event::EventKind;
use crate::execution::{AppUuid, Execution};
use crate::state::Phase;
use crate::text::SharedStr;

/// A boxed future borrowing its inputs.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What an application returns: its response text, or why it stopped.
pub type AppResult = Result<String, Interrupted>;

/// An application that runs inside a channel's task.
pub trait Application: Send + Sync + 'static {
    /// Its name(s), matched case-insensitively (an Asterisk name and a FreeSWITCH name may share one
    /// implementation).
    fn names(&self) -> &'static [&'static str];
    /// Runs it.
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult>;
}

/// An application name nobody registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no application '{0}'")]
pub struct NoSuchApp(pub String);

/// Applications by lower-case name.
#[derive(Default)]
pub struct AppRegistry {
    apps: parking_lot::RwLock<HashMap<String, Arc<dyn Application>>>,
    /// Bumped by every `register`: what was looked up under an older generation may be stale.
    generation: AtomicU64,
}

impl AppRegistry {
    /// A registry with the core's applications.
    pub fn with_builtins() -> Self {
        let reg = Self::default();
        reg.register(Arc::new(AnswerApp));
        reg.register(Arc::new(HangupApp));
        reg.register(Arc::new(WaitApp));
        reg.register(Arc::new(SleepApp));
        reg.register(Arc::new(NoOpApp));
        reg.register(Arc::new(ParkApp));
        reg
    }

    /// Adds an application under all its names.
    pub fn register(&self, app: Arc<dyn Application>) {
        let mut map = self.apps.write();
        for name in app.names() {
            map.insert(name.to_ascii_lowercase(), app.clone());
        }
        self.generation.fetch_add(1, Ordering::Release);
    }

    /// Changes whenever an application is registered: a dialplan may keep what `get` returned as
    /// long as this stays the same.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Finds an application.
    pub fn get(&self, name: &str) -> Option<Arc<dyn Application>> {
        let mut buf = [0u8; 48];
        let map = self.apps.read();
        match buf.get_mut(..name.len()) {
            // Application names are short: lower-case them on the stack (this runs at every priority).
            Some(lower) => {
                lower.copy_from_slice(name.as_bytes());
                lower.make_ascii_lowercase();
                map.get(std::str::from_utf8(lower).ok()?).cloned()
            }
            None => map.get(&name.to_ascii_lowercase()).cloned(),
        }
    }

    /// Registered names, sorted.
    pub fn names(&self) -> Vec<String> {
        let mut v: Vec<_> = self.apps.read().keys().cloned().collect();
        v.sort();
        v
    }
}

impl Channel {
    /// Runs application `name` with `args`, publishing `Execute`/`ExecuteComplete` around it.
    pub async fn execute(&mut self, name: &str, args: &str) -> Result<AppResult, NoSuchApp> {
        let app = self.switch().apps().get(name).ok_or_else(|| NoSuchApp(name.to_owned()))?;
        // Consecutive priorities often run the same application: share its name then.
        let name = match self.current().location.app() {
            Some(previous) if *previous == *name => previous.clone(),
            _ => SharedStr::from(name),
        };
        Ok(self.execute_app(&*app, name, SharedStr::from(args)).await)
    }

    /// Runs `app` (already looked up, e.g. kept by a dialplan since `AppRegistry::generation` has not
    /// changed) under the name `name` with arguments `data`, publishing `Execute`/`ExecuteComplete`
    /// around it.
    pub async fn execute_app(&mut self, app: &dyn Application, name: SharedStr, data: SharedStr) -> AppResult {
        // FreeSWITCH's `app_uuid` variable (set by ESL `sendmsg` `Event-UUID`) names this execution once.
        let app_uuid = match self.current().variables.get("app_uuid").map(AppUuid::given) {
            Some(given) => {
                self.current_mut().variables.unset("app_uuid");
                given
            }
            None => AppUuid::fresh(),
        };
        let exec = Arc::new(Execution { app: name, data, app_uuid });
        self.current_mut().location.exec = Some(exec.clone());
        self.publish(EventKind::Execute { exec: exec.clone() });
        let result = app.execute(self, &exec.data).await;
        let response = match &result {
            Ok(text) => text.clone(),
            Err(_) => "_none_".to_owned(),
        };
        self.publish(EventKind::ExecuteComplete { exec, response });
        result
    }
}

fn parse_seconds(args: &str) -> Duration {
    let secs: f64 = args.split(',').next().unwrap_or("").trim().parse().unwrap_or(0.0);
    Duration::from_secs_f64(if secs.is_finite() { secs.clamp(0.0, 31_536_000.0) } else { 0.0 })
}

struct AnswerApp;
impl Application for AnswerApp {
    fn names(&self) -> &'static [&'static str] {
        &["Answer"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move { chan.answer().map(|_| String::new()) })
    }
}

struct HangupApp;
impl Application for HangupApp {
    fn names(&self) -> &'static [&'static str] {
        &["Hangup"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        let cause =
            if args.trim().is_empty() { HangupCause::NORMAL_CLEARING } else { HangupCause::parse_lenient(args) };
        Box::pin(async move { Err(chan.hangup(cause)) })
    }
}

struct WaitApp;
impl Application for WaitApp {
    fn names(&self) -> &'static [&'static str] {
        &["Wait"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move { chan.sleep(parse_seconds(args)).await.map(|_| String::new()) })
    }
}

struct SleepApp;
impl Application for SleepApp {
    fn names(&self) -> &'static [&'static str] {
        &["sleep"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        let ms: u64 = args.trim().parse().unwrap_or(0);
        Box::pin(async move { chan.sleep(Duration::from_millis(ms)).await.map(|_| String::new()) })
    }
}

struct NoOpApp;
impl Application for NoOpApp {
    fn names(&self) -> &'static [&'static str] {
        &["NoOp"]
    }
    fn execute<'a>(&'a self, _chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async { Ok(String::new()) })
    }
}

/// FreeSWITCH `park`: wait for commands; applications queued meanwhile run in turn.
struct ParkApp;
impl Application for ParkApp {
    fn names(&self) -> &'static [&'static str] {
        &["park"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, _args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            chan.set_phase(Phase::Park);
            loop {
                let want = WaitFor { queued_app: true, ..WaitFor::default() };
                if chan.wait_until(None, want).await? == Woken::QueuedApp {
                    run_queued(chan).await?;
                    chan.set_phase(Phase::Park);
                }
            }
        })
    }
}

/// Runs every queued application; unknown ones are logged and skipped.
pub(crate) async fn run_queued(chan: &mut Channel) -> Result<(), Interrupted> {
    while let Some((app, args)) = chan.next_queued_app() {
        chan.set_phase(Phase::Execute);
        match Box::pin(chan.execute(&app, &args)).await {
            Ok(result) => {
                result?;
            }
            Err(e) => tracing::warn!(channel = %chan.current().name, "{e}"),
        }
    }
    Ok(())
}
