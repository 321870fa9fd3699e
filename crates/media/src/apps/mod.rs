//! The media applications (one implementation for the Asterisk and the FreeSWITCH name) and
//! [`install`], which registers them and the media commands on a switch.

mod dtmf;
mod echo;
mod moh;
mod play;
mod playback;
mod record;

use std::path::PathBuf;
use std::sync::Arc;

use switchyard_core::Switch;

use crate::prompts::Library;

/// Where the media apps find and put files (the `[media]` section of the config).
#[derive(Clone, Debug)]
pub struct MediaSettings {
    /// Prompts: `Playback(hello-world)` plays `<prompts_dir>/hello-world.wav`.
    pub prompts_dir: PathBuf,
    /// Music on hold: WAV files, classes as subdirectories.
    pub moh_dir: PathBuf,
    /// Relative `Record`/`record`/`uuid_record` paths land here.
    pub recordings_dir: PathBuf,
}

/// What the apps share.
pub(crate) struct Media {
    pub library: Library,
    pub settings: MediaSettings,
}

impl Media {
    /// A recording path: absolute as given, else under the recordings directory; `.wav` added when
    /// the name has no extension.
    pub(crate) fn recording_path(&self, name: &str) -> PathBuf {
        let p = PathBuf::from(name.trim());
        let p = if p.is_absolute() { p } else { self.settings.recordings_dir.join(p) };
        if p.extension().is_some() { p } else { p.with_extension("wav") }
    }
}

/// Registers the media applications (replacing the dialplan crate's media-less stand-ins) and the
/// media commands (`uuid_record`, `uuid_hold` with music) on `switch`. Call after the dialplan's
/// install.
pub fn install(switch: &Switch, settings: MediaSettings) {
    let library = Library::new(settings.prompts_dir.clone(), settings.moh_dir.clone());
    let media = Arc::new(Media { library, settings });
    let apps = switch.apps();
    apps.register(Arc::new(playback::PlaybackApp(media.clone())));
    apps.register(Arc::new(playback::BackgroundApp(media.clone())));
    apps.register(Arc::new(moh::MusicOnHoldApp(media.clone())));
    apps.register(Arc::new(moh::EndlessPlaybackApp(media.clone())));
    apps.register(Arc::new(echo::EchoApp));
    apps.register(Arc::new(record::RecordApp(media.clone())));
    apps.register(Arc::new(record::RecordSessionApp(media.clone())));
    apps.register(Arc::new(record::StopRecordSessionApp));
    apps.register(Arc::new(dtmf::SendDtmfApp));
    crate::commands::register(switch, media);
}

/// Application names this crate registers (for dialplan load-time checks).
pub const APP_NAMES: &[&str] = &[
    "Playback",
    "Background",
    "MusicOnHold",
    "endless_playback",
    "Echo",
    "Record",
    "record_session",
    "stop_record_session",
    "SendDTMF",
    "send_dtmf",
];
