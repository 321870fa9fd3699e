//! FreeSWITCH's `inline` dialplan: the destination itself lists the applications,
//! `app[:args][,app[:args]…]` (`^^X` first changes the separator to `X`), run in order.

use std::sync::Arc;

use switchyard_core::{Channel, HangupCause, Interrupted, Phase};

use super::engine::{Pass, XmlEngine};
use super::hunt::Planned;

/// Splits an inline destination into actions.
pub fn parse(dest: &str) -> Vec<Planned> {
    let (sep, body) = match dest.strip_prefix("^^") {
        Some(rest) if !rest.is_empty() => {
            let c = rest.chars().next().unwrap_or(',');
            (c, &rest[c.len_utf8()..])
        }
        _ => (',', dest),
    };
    body.split(sep)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let (app, data) = item.split_once(':').unwrap_or((item, ""));
            Planned { app: app.to_owned(), data: data.to_owned(), extension: "inline".into(), source: "inline".into() }
        })
        .collect()
}

/// Runs the channel's destination as an inline dialplan.
pub(crate) async fn run(engine: &Arc<XmlEngine>, chan: &mut Channel) -> Pass {
    let actions = parse(&chan.current().location.exten.clone());
    chan.set_phase(Phase::Execute);
    match engine.execute(chan, &actions).await {
        Ok(()) => {
            chan.request_hangup(HangupCause::NORMAL_CLEARING, "dialplan ended");
            Pass::Done
        }
        Err(Interrupted::HungUp(_)) => Pass::Done,
        Err(Interrupted::Redirected { context, exten, priority }) => {
            chan.set_location(&context, &exten, priority);
            Pass::Redirected
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn inline_destinations_split_into_applications() {
        let got: Vec<(String, String)> = parse("set:a=1,park").into_iter().map(|p| (p.app, p.data)).collect();
        assert_eq!(got, vec![("set".into(), "a=1".into()), ("park".into(), String::new())]);
        let got: Vec<String> = parse("^^;set:a=1,2;log:INFO x").into_iter().map(|p| p.data).collect();
        assert_eq!(got, vec!["a=1,2", "INFO x"]);
    }
}
