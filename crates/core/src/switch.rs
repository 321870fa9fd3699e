//! The switch: the one shared context that owns the registries, the bus and the counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::RwLock;

use crate::app::AppRegistry;
use crate::bus::{BusConfig, EventBus};
use crate::cause::HangupCause;
use crate::clock::{Clock, Timestamp};
use crate::command::CommandRegistry;
use crate::dialplan::DialplanEngine;
use crate::event::EventKind;
use crate::id::ChannelId;
use crate::registry::ChannelRegistry;
use crate::snapshot::{CallerId, ChannelDetails, ChannelSnapshot, Direction};
use crate::state::ChannelState;
use crate::stats::SwitchStats;
use crate::tech::TechRegistry;
use crate::text::SharedStr;
use crate::vars::GlobalVariables;

/// Facts about this switch that protocols print.
#[derive(Clone, Debug)]
pub struct SwitchInfo {
    /// Switchyard's version.
    pub version: String,
    /// Host name.
    pub hostname: String,
    /// A UUID naming this running instance (ESL `Core-UUID`).
    pub core_uuid: String,
    /// Highest number of channels allowed (0 = unlimited).
    pub max_channels: usize,
}

/// Settings for building a switch.
pub struct SwitchConfig {
    /// Facts printed by commands and protocols.
    pub info: SwitchInfo,
    /// Bus sizes.
    pub bus: BusConfig,
    /// Wall clock.
    pub clock: Arc<dyn Clock>,
}

struct SwitchInner {
    info: SwitchInfo,
    clock: Arc<dyn Clock>,
    started: Timestamp,
    last_reload: AtomicI64,
    idle_cpu_bits: AtomicU64,
    bus: EventBus,
    channels: ChannelRegistry,
    globals: GlobalVariables,
    apps: AppRegistry,
    techs: TechRegistry,
    commands: CommandRegistry,
    dialplan: RwLock<Option<Arc<dyn DialplanEngine>>>,
    stats: SwitchStats,
    bridges: crate::bridges::BridgeRegistry,
    devices: crate::device::DeviceStates,
    features: RwLock<Arc<crate::features::FeatureConfig>>,
    name_counter: AtomicU32,
    shutting_down: AtomicBool,
}

/// The shared switch context; cheap to clone.
#[derive(Clone)]
pub struct Switch(Arc<SwitchInner>);

impl Switch {
    /// A switch with the built-in technologies, applications and commands.
    pub fn new(config: SwitchConfig) -> Self {
        let started = config.clock.now();
        Self(Arc::new(SwitchInner {
            bus: EventBus::new(config.bus, config.clock.clone()),
            info: config.info,
            clock: config.clock,
            started,
            last_reload: AtomicI64::new(started.0),
            idle_cpu_bits: AtomicU64::new(100f64.to_bits()),
            channels: ChannelRegistry::default(),
            globals: GlobalVariables::default(),
            apps: AppRegistry::with_builtins(),
            techs: TechRegistry::with_builtins(),
            commands: CommandRegistry::with_builtins(),
            dialplan: RwLock::new(None),
            stats: SwitchStats::default(),
            bridges: crate::bridges::BridgeRegistry::default(),
            devices: crate::device::DeviceStates::default(),
            features: RwLock::new(Arc::default()),
            name_counter: AtomicU32::new(0),
            shutting_down: AtomicBool::new(false),
        }))
    }

    /// Now, by the switch's clock.
    pub fn now(&self) -> Timestamp {
        self.0.clock.now()
    }

    /// When the switch started.
    pub fn started(&self) -> Timestamp {
        self.0.started
    }

    /// When configuration (dialplans) was last loaded.
    pub fn last_reload(&self) -> Timestamp {
        Timestamp(self.0.last_reload.load(Ordering::Relaxed))
    }

    /// Records a configuration reload now.
    pub fn mark_reloaded(&self) {
        self.0.last_reload.store(self.now().0, Ordering::Relaxed);
    }

    /// Idle CPU percentage as last measured by the host (FreeSWITCH `status`).
    pub fn idle_cpu(&self) -> f64 {
        f64::from_bits(self.0.idle_cpu_bits.load(Ordering::Relaxed))
    }

    /// Records a host idle-CPU measurement.
    pub fn set_idle_cpu(&self, percent: f64) {
        self.0.idle_cpu_bits.store(percent.to_bits(), Ordering::Relaxed);
    }

    /// Facts about this switch.
    pub fn info(&self) -> &SwitchInfo {
        &self.0.info
    }

    /// The event bus.
    pub fn bus(&self) -> &EventBus {
        &self.0.bus
    }

    /// Live channels.
    pub fn channels(&self) -> &ChannelRegistry {
        &self.0.channels
    }

    /// Global variables.
    pub fn globals(&self) -> &GlobalVariables {
        &self.0.globals
    }

    /// Applications.
    pub fn apps(&self) -> &AppRegistry {
        &self.0.apps
    }

    /// Channel technologies.
    pub fn techs(&self) -> &TechRegistry {
        &self.0.techs
    }

    /// Console/API commands.
    pub fn commands(&self) -> &CommandRegistry {
        &self.0.commands
    }

    /// Counters.
    pub fn stats(&self) -> &SwitchStats {
        &self.0.stats
    }

    /// Live bridges.
    pub fn bridges(&self) -> &crate::bridges::BridgeRegistry {
        &self.0.bridges
    }

    /// Device states derived from channels.
    pub fn devices(&self) -> &crate::device::DeviceStates {
        &self.0.devices
    }

    /// The in-call features (features.conf); Asterisk's defaults until `set_features`.
    pub fn features(&self) -> Arc<crate::features::FeatureConfig> {
        self.0.features.read().clone()
    }

    /// Replaces the in-call features (startup, reload).
    pub fn set_features(&self, features: crate::features::FeatureConfig) {
        *self.0.features.write() = Arc::new(features);
    }

    /// The dialplan engine, if one is installed.
    pub fn dialplan(&self) -> Option<Arc<dyn DialplanEngine>> {
        self.0.dialplan.read().clone()
    }

    /// Installs (or replaces, atomically) the dialplan engine.
    pub fn set_dialplan(&self, engine: Arc<dyn DialplanEngine>) {
        *self.0.dialplan.write() = Some(engine);
    }

    /// Channel limit (0 = none).
    pub fn max_channels(&self) -> usize {
        self.0.info.max_channels
    }

    /// True once shutdown began: no new channels are admitted.
    pub fn is_shutting_down(&self) -> bool {
        self.0.shutting_down.load(Ordering::SeqCst)
    }

    /// Stops admitting channels, announces shutdown and hangs up every channel with SYSTEM_SHUTDOWN.
    /// Waits up to `grace` for them to finish; returns how many were still alive then.
    pub async fn shutdown(&self, grace: Duration) -> usize {
        if !self.0.shutting_down.swap(true, Ordering::SeqCst) {
            self.bus().publish(EventKind::Shutdown, None);
        }
        for handle in self.channels().handles() {
            let _ = handle.hangup(HangupCause::SYSTEM_SHUTDOWN, "shutdown");
        }
        let deadline = tokio::time::Instant::now() + grace;
        while !self.channels().is_empty() && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        self.channels().len()
    }

    /// The next number for channel names (Asterisk's 8-hex-digit suffix), starting at 1.
    pub fn next_channel_number(&self) -> u32 {
        self.0.name_counter.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// A fresh snapshot for a new channel called `name`.
    pub fn blank_snapshot(&self, id: ChannelId, tech: &str, name: String, direction: Direction) -> ChannelSnapshot {
        let details = ChannelDetails {
            id,
            linked_id: id,
            name: name.into(),
            tech: tech.into(),
            direction,
            caller: CallerId::default(),
            connected: CallerId::default(),
            dialed: SharedStr::default(),
            account_code: SharedStr::default(),
            language: "en".into(),
            created: self.now(),
            answered: None,
            hungup: None,
            hangup_cause: None,
            bridge_id: None,
        };
        ChannelSnapshot::new(details, ChannelState::default())
    }
}

/// Why two channels could not be bridged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BridgeError {
    /// A channel is gone or hanging up.
    #[error("no such channel")]
    NoSuchChannel,
    /// Both sides are the same channel.
    #[error("cannot bridge a channel to itself")]
    SameChannel,
}

impl Switch {
    /// Joins two live channels in a new two-party bridge; returns the bridge id. Each channel leaves
    /// any bridge it was in.
    pub fn bridge(&self, a: ChannelId, b: ChannelId) -> Result<String, BridgeError> {
        if a == b {
            return Err(BridgeError::SameChannel);
        }
        let get = |id| self.channels().get(id).filter(|h| h.is_alive()).ok_or(BridgeError::NoSuchChannel);
        let (ha, hb) = (get(a)?, get(b)?);
        if ha.snapshot().state.phase().is_ending() || hb.snapshot().state.phase().is_ending() {
            return Err(BridgeError::NoSuchChannel);
        }
        let bridge_id = uuid::Uuid::new_v4().to_string();
        self.bridges().create(&bridge_id, self.now(), 2);
        self.bus().publish(EventKind::BridgeCreate { bridge_id: bridge_id.clone() }, None);
        let join = |h: &crate::channel::ChannelHandle, peer: &crate::channel::ChannelHandle| {
            h.send(crate::channel::ChannelCommand::JoinBridge { bridge_id: bridge_id.clone(), peer: peer.clone() })
        };
        for (h, peer) in [(&ha, &hb), (&hb, &ha)] {
            if join(h, peer).is_err() {
                self.bridge_departure(&bridge_id, h.id());
            }
        }
        Ok(bridge_id)
    }
}

impl Switch {
    /// Moves `entering` into `bridge_id` in the place of `leaving` (Asterisk's swap optimisation of a
    /// Local pair): the member that stays keeps its bridge and gets `entering` as its peer, `entering`
    /// leaves its own bridge and enters this one, `leaving` leaves without telling anyone.
    pub fn swap_bridge_member(
        &self,
        bridge_id: &str,
        leaving: ChannelId,
        entering: ChannelId,
    ) -> Result<(), BridgeError> {
        use crate::channel::ChannelCommand;
        let record = self.bridges().get(bridge_id).ok_or(BridgeError::NoSuchChannel)?;
        let stay = record.members.iter().copied().find(|m| *m != leaving).ok_or(BridgeError::NoSuchChannel)?;
        let get = |id| self.channels().get(id).filter(|h| h.is_alive()).ok_or(BridgeError::NoSuchChannel);
        let (stay, entering, leaving) = (get(stay)?, get(entering)?, get(leaving)?);
        if stay.id() == entering.id() {
            return Err(BridgeError::SameChannel);
        }
        self.bridges().swap_member(bridge_id, leaving.id());
        let id = bridge_id.to_owned();
        let _ = leaving.send(ChannelCommand::LeaveBridge { bridge_id: id.clone(), notify_peer: false });
        if entering.send(ChannelCommand::JoinBridge { bridge_id: id.clone(), peer: stay.clone() }).is_err() {
            self.bridge_departure(bridge_id, entering.id());
        }
        let _ = stay.send(ChannelCommand::ReplacePeer { bridge_id: id, peer: entering });
        Ok(())
    }

    /// A channel left `bridge_id` (or will never enter it): publishes `BridgeDestroy` when it was the
    /// last; returns how many channels remain.
    pub(crate) fn bridge_departure(&self, bridge_id: &str, channel: ChannelId) -> usize {
        let gone = self.bridges().leave(bridge_id, channel);
        if gone.destroyed {
            self.bus().publish(EventKind::BridgeDestroy { bridge_id: bridge_id.to_owned() }, None);
        }
        gone.members
    }
}
