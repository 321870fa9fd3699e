//! FreeSWITCH event names, and where in FreeSWITCH each is fired (`Event-Calling-*` headers).

/// Every FreeSWITCH event type name (src/switch_event.c), used to validate `event`/`sendevent` names.
pub const EVENT_NAMES: &[&str] = &[
    "CUSTOM",
    "CLONE",
    "CHANNEL_CREATE",
    "CHANNEL_DESTROY",
    "CHANNEL_STATE",
    "CHANNEL_CALLSTATE",
    "CHANNEL_ANSWER",
    "CHANNEL_HANGUP",
    "CHANNEL_HANGUP_COMPLETE",
    "CHANNEL_EXECUTE",
    "CHANNEL_EXECUTE_COMPLETE",
    "CHANNEL_HOLD",
    "CHANNEL_UNHOLD",
    "CHANNEL_BRIDGE",
    "CHANNEL_UNBRIDGE",
    "CHANNEL_PROGRESS",
    "CHANNEL_PROGRESS_MEDIA",
    "CHANNEL_OUTGOING",
    "CHANNEL_PARK",
    "CHANNEL_UNPARK",
    "CHANNEL_APPLICATION",
    "CHANNEL_ORIGINATE",
    "CHANNEL_UUID",
    "API",
    "LOG",
    "INBOUND_CHAN",
    "OUTBOUND_CHAN",
    "STARTUP",
    "SHUTDOWN",
    "PUBLISH",
    "UNPUBLISH",
    "TALK",
    "NOTALK",
    "SESSION_CRASH",
    "MODULE_LOAD",
    "MODULE_UNLOAD",
    "DTMF",
    "MESSAGE",
    "PRESENCE_IN",
    "NOTIFY_IN",
    "PRESENCE_OUT",
    "PRESENCE_PROBE",
    "MESSAGE_WAITING",
    "MESSAGE_QUERY",
    "ROSTER",
    "CODEC",
    "BACKGROUND_JOB",
    "DETECTED_SPEECH",
    "DETECTED_TONE",
    "PRIVATE_COMMAND",
    "HEARTBEAT",
    "TRAP",
    "ADD_SCHEDULE",
    "DEL_SCHEDULE",
    "EXE_SCHEDULE",
    "RE_SCHEDULE",
    "RELOADXML",
    "NOTIFY",
    "PHONE_FEATURE",
    "PHONE_FEATURE_SUBSCRIBE",
    "SEND_MESSAGE",
    "RECV_MESSAGE",
    "REQUEST_PARAMS",
    "CHANNEL_DATA",
    "GENERAL",
    "COMMAND",
    "SESSION_HEARTBEAT",
    "CLIENT_DISCONNECTED",
    "SERVER_DISCONNECTED",
    "SEND_INFO",
    "RECV_INFO",
    "RECV_RTCP_MESSAGE",
    "SEND_RTCP_MESSAGE",
    "CALL_SECURE",
    "NAT",
    "RECORD_START",
    "RECORD_STOP",
    "PLAYBACK_START",
    "PLAYBACK_STOP",
    "CALL_UPDATE",
    "FAILURE",
    "SOCKET_DATA",
    "MEDIA_BUG_START",
    "MEDIA_BUG_STOP",
    "CONFERENCE_DATA_QUERY",
    "CONFERENCE_DATA",
    "CALL_SETUP_REQ",
    "CALL_SETUP_RESULT",
    "CALL_DETAIL",
    "DEVICE_STATE",
    "TEXT",
    "SHUTDOWN_REQUESTED",
    "CERT_RELOAD",
    "ALL",
];

/// The canonical upper-case name if `name` is a FreeSWITCH event type.
pub fn known(name: &str) -> Option<&'static str> {
    let upper = name.to_ascii_uppercase();
    let upper = upper.strip_prefix("SWITCH_EVENT_").unwrap_or(&upper);
    EVENT_NAMES.iter().copied().find(|n| *n == upper)
}

/// `Event-Calling-File`, `-Function`, `-Line-Number` as FreeSWITCH 1.11 prints them for `name`.
pub fn calling(name: &str) -> (&'static str, &'static str, &'static str) {
    match name {
        "CHANNEL_CREATE" => ("switch_core_state_machine.c", "switch_core_session_run", "626"),
        "CHANNEL_ORIGINATE" => ("switch_core_state_machine.c", "switch_core_session_run", "632"),
        "CHANNEL_STATE" => ("switch_channel.c", "switch_channel_perform_set_running_state", "2409"),
        "CHANNEL_CALLSTATE" => ("switch_channel.c", "switch_channel_perform_set_callstate", "302"),
        "CHANNEL_ANSWER" => ("switch_channel.c", "switch_channel_perform_mark_answered", "3848"),
        "CHANNEL_PROGRESS" => ("switch_channel.c", "switch_channel_perform_mark_ring_ready_value", "3593"),
        "CHANNEL_PROGRESS_MEDIA" => ("switch_channel.c", "switch_channel_perform_mark_pre_answered", "3692"),
        "CHANNEL_EXECUTE" => ("switch_core_session.c", "switch_core_session_exec", "2949"),
        "CHANNEL_EXECUTE_COMPLETE" => ("switch_core_session.c", "switch_core_session_exec", "2972"),
        "CHANNEL_HANGUP" => ("switch_channel.c", "switch_channel_perform_hangup", "3447"),
        "CHANNEL_HANGUP_COMPLETE" => ("switch_core_state_machine.c", "switch_core_session_reporting_state", "943"),
        "CHANNEL_DESTROY" => ("switch_core_session.c", "switch_core_session_perform_destroy", "1588"),
        "CHANNEL_PARK" => ("switch_ivr.c", "switch_ivr_park", "1002"),
        "CHANNEL_UNPARK" => ("switch_ivr.c", "switch_ivr_park", "1213"),
        "CHANNEL_BRIDGE" => ("switch_ivr_bridge.c", "audio_bridge_on_exchange_media", "2144"),
        "CHANNEL_UNBRIDGE" => ("switch_ivr_bridge.c", "audio_bridge_on_exchange_media", "2279"),
        "DTMF" => ("switch_channel.c", "switch_channel_queue_dtmf", "699"),
        "BACKGROUND_JOB" => ("mod_event_socket.c", "api_exec", "1569"),
        "API" => ("switch_loadable_module.c", "switch_api_execute", "2954"),
        "HEARTBEAT" => ("switch_core.c", "send_heartbeat", "126"),
        "SHUTDOWN" => ("switch_core.c", "switch_core_destroy", "3025"),
        "ADD_SCHEDULE" => ("switch_scheduler.c", "switch_scheduler_add_task_ex", "266"),
        "DEL_SCHEDULE" | "EXE_SCHEDULE" => ("switch_scheduler.c", "task_thread_loop", "151"),
        "RE_SCHEDULE" => ("switch_scheduler.c", "task_thread_loop", "162"),
        "CODEC" => ("switch_core_codec.c", "switch_core_session_set_read_codec", "300"),
        "CODEC_WRITE" => ("switch_core_codec.c", "switch_core_session_set_write_codec", "471"),
        "CALL_UPDATE" => ("switch_channel.c", "switch_channel_flip_cid", "3279"),
        "PRIVATE_COMMAND" => ("switch_ivr.c", "switch_ivr_parse_event", "806"),
        "CHANNEL_HOLD" | "CHANNEL_UNHOLD" => ("switch_channel.c", "switch_channel_perform_set_flag_value", "1157"),
        _ => ("mod_event_socket.c", "parse_command", "2266"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_matched_without_case_and_with_the_switch_event_prefix() {
        assert_eq!(known("channel_create"), Some("CHANNEL_CREATE"));
        assert_eq!(known("SWITCH_EVENT_DTMF"), Some("DTMF"));
        assert_eq!(known("conference::maintenance"), None);
    }
}
