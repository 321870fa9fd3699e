//! Starts the Asterisk Manager Interface listener from `[ami]`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use switchyard_ami::proto::{Privilege, parse_classes};
use switchyard_ami::{AmiServerConfig, AmiUser, DialplanEntry, serve};
use switchyard_core::Switch;
use switchyard_dialplan::Engine;
use switchyard_sched::Scheduler;
use switchyard_store::Store;

use crate::config::Config;

/// Pause between bind attempts when the address is taken.
const RETRY: Duration = Duration::from_secs(5);

/// Binds the listener when `[ami] enabled`; returns its address.
pub async fn start(
    cfg: &Config,
    switch: Switch,
    store: Arc<dyn Store>,
    scheduler: Scheduler,
    dialplan: Arc<Engine>,
) -> anyhow::Result<Option<SocketAddr>> {
    if !cfg.ami.enabled {
        return Ok(None);
    }
    let mut config = AmiServerConfig::new(cfg.ami.listen, cfg.ami.users.iter().map(user).collect());
    config.event_queue = cfg.bus.subscriber_queue;
    config.store = Some(store);
    config.scheduler = Some(scheduler);
    config.dialplan = Some(Arc::new(move || list_dialplan(&dialplan)));
    match serve(config.clone(), switch.clone()).await {
        Ok((addr, _task)) => Ok(Some(addr)),
        Err(e) => {
            // As Asterisk: report, keep running, retry the bind.
            tracing::error!("manager: cannot listen on {}: {e}; retrying every 5 s", cfg.ami.listen);
            tokio::spawn(retry(config, switch));
            Ok(None)
        }
    }
}

/// Class lists were validated with the config; an unknown word here means none.
fn classes(text: &str) -> Privilege {
    parse_classes(text).unwrap_or(Privilege::NONE)
}

fn user(u: &crate::config::AmiUser) -> AmiUser {
    let permit = u.permit.clone().map(|blocks| {
        let allow: switchyard_ami::server::Acl = Arc::new(move |ip| blocks.iter().any(|c| c.contains(ip)));
        allow
    });
    AmiUser {
        username: u.username.clone(),
        secret: u.secret.clone(),
        read: classes(&u.read),
        write: classes(&u.write),
        permit,
    }
}

/// Every priority of the loaded dialplan, contexts by name, extensions and priorities in order.
fn list_dialplan(engine: &Engine) -> Vec<DialplanEntry> {
    let plan = engine.plan();
    let mut contexts: Vec<_> = plan.contexts.values().collect();
    contexts.sort_by(|a, b| a.name.cmp(&b.name));
    let mut out = Vec::new();
    for ctx in contexts {
        for ext in &ctx.extensions {
            for p in ext.priorities.values() {
                out.push(DialplanEntry {
                    context: ctx.name.clone(),
                    extension: ext.pattern.as_str().to_owned(),
                    label: p.label.clone(),
                    priority: p.number,
                    application: p.app.clone(),
                    app_data: p.args.clone(),
                    include: None,
                });
            }
        }
        out.extend(ctx.includes.iter().map(|inc| DialplanEntry::include(&ctx.name, inc)));
    }
    out
}

async fn retry(config: AmiServerConfig, switch: Switch) {
    loop {
        tokio::time::sleep(RETRY).await;
        if serve(config.clone(), switch.clone()).await.is_ok() {
            return;
        }
    }
}
