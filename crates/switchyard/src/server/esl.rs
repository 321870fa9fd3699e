//! Starts the FreeSWITCH Event Socket listener from `[esl]`.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use switchyard_core::Switch;
use switchyard_esl::proto::Limits;
use switchyard_esl::server::EslUser;
use switchyard_esl::{EslServerConfig, serve};

use crate::config::Config;

/// Pause between bind attempts when the address is taken.
const RETRY: Duration = Duration::from_secs(5);

/// Binds the listener when `[esl] enabled`; returns its address.
pub async fn start(cfg: &Config, switch: Switch) -> anyhow::Result<Option<SocketAddr>> {
    let esl = &cfg.esl;
    if !esl.enabled {
        // Outbound mode (the `socket` app) works without the listener.
        let local = SocketAddr::from(([127, 0, 0, 1], 0));
        switchyard_esl::server::install(&switch, local, String::new(), Limits::default(), Vec::new());
        return Ok(None);
    }
    let acl = esl.acl.clone().map(|blocks| {
        let allow: switchyard_esl::server::Acl = Arc::new(move |ip| blocks.iter().any(|c| c.contains(ip)));
        allow
    });
    let config = EslServerConfig {
        listen: esl.listen,
        password: esl.password.clone().context("[esl] password missing after credentials were ensured")?,
        acl,
        limits: Limits::default(),
        users: esl
            .users
            .iter()
            .map(|u| EslUser::new(&u.user, &u.password, &u.allowed_events, &u.allowed_api, u.allowed_log))
            .collect(),
    };
    match serve(config.clone(), switch.clone()).await {
        Ok((addr, _task)) => Ok(Some(addr)),
        Err(e) => {
            // As FreeSWITCH without `stop-on-bind-error`: report, keep running, retry the bind.
            tracing::error!("event socket: cannot listen on {}: {e}; retrying every 5 s", esl.listen);
            tokio::spawn(retry(config, switch));
            Ok(None)
        }
    }
}

async fn retry(config: EslServerConfig, switch: Switch) {
    loop {
        tokio::time::sleep(RETRY).await;
        if serve(config.clone(), switch.clone()).await.is_ok() {
            return;
        }
    }
}
