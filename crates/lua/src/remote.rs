//! A `session` for a channel the script did not run in (`freeswitch.Session(dialstring|uuid)`): it is
//! driven through the channel's handle, so operations that need the channel's task to wait
//! (`getDigits`, `playAndGetDigits`) are not available and return "".

use std::time::Duration;

use switchyard_core::{ChannelCommand, ChannelHandle, HangupCause};

use crate::call::{Op, Reply, Value};

/// The handle of a channel parked (or running elsewhere) that a script controls.
pub(crate) struct RemoteSession {
    pub(crate) handle: ChannelHandle,
}

impl RemoteSession {
    fn gone(&self) -> bool {
        !self.handle.is_alive() || self.handle.snapshot().state.phase().is_ending()
    }

    /// Performs `op` through the handle.
    pub(crate) fn call(&self, op: Op) -> Reply {
        let value = match op {
            Op::Ready => Value::Bool(!self.gone()),
            Op::Answered => Value::Bool(self.handle.snapshot().state.is_up()),
            Op::Answer => self.ack(self.handle.answer().is_ok()),
            Op::Hangup(cause) => {
                let cause =
                    if cause.is_empty() { HangupCause::NORMAL_CLEARING } else { HangupCause::parse_lenient(&cause) };
                self.ack(self.handle.hangup(cause, "lua").is_ok())
            }
            Op::Sleep(ms) => {
                std::thread::sleep(Duration::from_millis(ms));
                Value::Nil
            }
            Op::SetVariable(name, value) => self.ack(self.handle.set_var(&name, &value.unwrap_or_default()).is_ok()),
            Op::GetVariable(name) => self.handle.var(&name).map_or(Value::Nil, Value::Str),
            Op::GetState => Value::Str(self.handle.snapshot().state.phase().fs_name().to_owned()),
            Op::HangupCause => {
                Value::Str(self.handle.snapshot().hangup_cause.map_or("NONE", |c| c.fs_name()).to_owned())
            }
            Op::Execute(app, args) => self.queue(app, args),
            Op::StreamFile(path) => self.queue("playback".to_owned(), path),
            Op::GetDigits(_) | Op::PlayAndGetDigits(_) | Op::WaitDigit(_) => {
                tracing::warn!("lua: digit collection is only available on the script's own session");
                Value::Str(String::new())
            }
            _ => Value::Nil,
        };
        Reply { value, hung_up: self.gone() }
    }

    fn ack(&self, _sent: bool) -> Value {
        Value::Nil
    }

    /// Queues an application on the channel (a parked channel runs it next).
    fn queue(&self, app: String, args: String) -> Value {
        let _ = self.handle.send(ChannelCommand::Execute { app, args });
        Value::Nil
    }
}
