//! Asterisk `SendDTMF(digits[,timeout_ms[,duration_ms]])` and FreeSWITCH `send_dtmf digits[@duration]`:
//! RFC 4733 over the channel's media when it has some, else the core's signalling to the far end.

use std::time::Duration;

use switchyard_core::app::{AppResult, Application, BoxFuture};
use switchyard_core::{Channel, DtmfPhase, EventKind};

/// Digits, gap between them and duration of each, from either syntax.
fn parse(args: &str) -> (String, u64, u32) {
    if let Some((digits, dur)) = args.split_once('@') {
        let duration = dur.trim().parse().ok().filter(|v| *v > 0).unwrap_or(100);
        return (digits.trim().to_owned(), 50, duration);
    }
    let a: Vec<&str> = args.split(',').collect();
    let gap = a.get(1).and_then(|v| v.trim().parse().ok()).filter(|v| *v > 0).unwrap_or(250);
    let duration = a.get(2).and_then(|v| v.trim().parse().ok()).filter(|v| *v > 0).unwrap_or(100);
    (a[0].trim().to_owned(), gap, duration)
}

/// The send-DTMF application.
pub(crate) struct SendDtmfApp;

impl Application for SendDtmfApp {
    fn names(&self) -> &'static [&'static str] {
        &["SendDTMF", "send_dtmf"]
    }
    fn execute<'a>(&'a self, chan: &'a mut Channel, args: &'a str) -> BoxFuture<'a, AppResult> {
        Box::pin(async move {
            let (digits, gap, duration) = parse(args);
            for d in digits.chars() {
                match d {
                    'w' => chan.sleep(Duration::from_millis(500)).await?,
                    'W' => chan.sleep(Duration::from_secs(1)).await?,
                    d if d.is_ascii_digit() || "*#ABCDabcd".contains(d) => {
                        let d = d.to_ascii_uppercase();
                        match chan.media() {
                            Some(port) => {
                                port.send_dtmf(d, duration);
                                chan.publish(EventKind::Dtmf {
                                    digit: d,
                                    duration_ms: duration,
                                    received: false,
                                    phase: DtmfPhase::Whole,
                                });
                                chan.sleep(Duration::from_millis(u64::from(duration) + gap)).await?;
                            }
                            None => {
                                chan.send_dtmf(d, duration);
                                chan.sleep(Duration::from_millis(gap)).await?;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(String::new())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn both_syntaxes_parse() {
        assert_eq!(parse("123#,300,200"), ("123#".into(), 300, 200));
        assert_eq!(parse("1w2"), ("1w2".into(), 250, 100));
        assert_eq!(parse("1234@500"), ("1234".into(), 50, 500));
    }
}
