//! Running the switch: data directory, store, credentials, the core, the control socket, metrics, and
//! an orderly shutdown on SIGTERM/SIGINT.

mod ami;
mod banner;
mod control;
mod cpu;
mod datadir;
mod esl;
mod metrics;
mod sched;
mod sip;
mod store;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use switchyard_core::{BusConfig, Switch, SwitchConfig, SwitchInfo, SystemClock};
use tokio::signal::unix::{SignalKind, signal};

use crate::config::{self, Config};

/// Runs until SIGTERM or SIGINT. `embedded` says the config is the built-in default.
pub fn run(mut cfg: Config, embedded: bool) -> anyhow::Result<()> {
    let lock = datadir::prepare(&cfg.general.data_dir)?;
    let generated = config::ensure_credentials(&mut cfg).context("credentials")?;
    let store = store::open(&cfg)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(serve(cfg, embedded, generated, store))?;
    drop(lock);
    Ok(())
}

async fn serve(
    cfg: Config,
    embedded: bool,
    generated: Option<config::GeneratedCredentials>,
    store: Arc<dyn switchyard_store::Store>,
) -> anyhow::Result<()> {
    let switch = build_switch(&cfg);
    let dialplan = switchyard_dialplan::install(&switch, store.clone(), &cfg.dialplan.asterisk).context("dialplan")?;
    switchyard_dialplan::fsxml::install(&dialplan, &cfg.dialplan.freeswitch).context("XML dialplan")?;
    if let Some(path) = &cfg.dialplan.features {
        let (features, warnings) = switchyard_dialplan::astconf::load_features(path).context("features.conf")?;
        warnings.iter().for_each(|w| tracing::warn!("{w}"));
        switch.set_features(features);
    }
    switchyard_media::install(&switch, media_settings(&cfg));
    let sounds = switchyard_media::prompts::Library::new(cfg.media.prompts_dir.clone(), cfg.media.moh_dir.clone());
    switchyard_conference::install(&switch, sounds);
    let lua = switchyard_lua::LuaSettings { scripts_dir: cfg.lua.scripts_dir.clone(), ..Default::default() };
    switchyard_lua::install(&switch, lua);
    let control_path = cfg.general.data_dir.join(crate::control_proto::SOCKET_NAME);
    let control = control::ControlServer::bind(&control_path, switch.clone())?;
    let metrics_addr = match cfg.metrics.enabled {
        true => Some(metrics::serve(cfg.metrics.listen, switch.clone()).await?),
        false => None,
    };
    esl::start(&cfg, switch.clone()).await?;
    let scheduler = sched::start(&cfg, &switch, store.clone()).await?;
    ami::start(&cfg, switch.clone(), store.clone(), scheduler, dialplan).await?;
    let sip_bound = sip::start(&cfg, switch.clone(), None).await;
    tokio::spawn(cpu::sample_idle_cpu(switch.clone()));
    // Handlers before the banner: it tells the user SIGTERM stops the switch cleanly, and a signal
    // sent right after it must not find the default action (death without flushing the store).
    let stop = StopSignals::install()?;
    banner::print(&cfg, embedded, generated.as_ref(), &control_path, metrics_addr, &sip_bound);
    let control_task = tokio::spawn(control.serve());
    stop.wait().await;
    tracing::info!("shutting down: hanging up channels");
    control_task.abort();
    let left = switch.shutdown(Duration::from_millis(cfg.core.shutdown_grace_ms)).await;
    if left > 0 {
        tracing::warn!("{left} channel(s) still alive after the shutdown grace period");
    }
    let _ = std::fs::remove_file(&control_path);
    tokio::task::spawn_blocking(move || store.flush()).await?.context("flushing the store")?;
    tracing::info!("stopped");
    Ok(())
}

/// The media apps' directories from `[media]` (after the dialplan's install: they replace its stand-ins).
fn media_settings(cfg: &Config) -> switchyard_media::MediaSettings {
    switchyard_media::MediaSettings {
        prompts_dir: cfg.media.prompts_dir.clone(),
        moh_dir: cfg.media.moh_dir.clone(),
        recordings_dir: cfg.media.recordings_dir.clone(),
    }
}

fn build_switch(cfg: &Config) -> Switch {
    let hostname = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .map(|h| h.trim().to_owned())
        .unwrap_or_else(|_| "localhost".to_owned());
    Switch::new(SwitchConfig {
        info: SwitchInfo {
            version: env!("CARGO_PKG_VERSION").to_owned(),
            hostname,
            core_uuid: switchyard_core::ChannelId::new_v4().to_string(),
            max_channels: cfg.core.max_channels,
        },
        bus: BusConfig { replay_window: cfg.bus.replay_window, subscriber_queue: cfg.bus.subscriber_queue },
        clock: Arc::new(SystemClock),
    })
}

/// SIGTERM and SIGINT, caught from the moment they are installed.
struct StopSignals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

impl StopSignals {
    fn install() -> anyhow::Result<StopSignals> {
        Ok(StopSignals { term: signal(SignalKind::terminate())?, int: signal(SignalKind::interrupt())? })
    }

    /// Returns when either arrives.
    async fn wait(mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.int.recv() => {}
        }
    }
}
