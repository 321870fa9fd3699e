//! What the switch prints on start: where to connect, and generated credentials the first time.

use std::net::SocketAddr;
use std::path::Path;

use crate::config::{Config, GeneratedCredentials};

/// Prints the start-up banner on stdout.
pub fn print(
    cfg: &Config,
    embedded: bool,
    generated: Option<&GeneratedCredentials>,
    control: &Path,
    metrics: Option<SocketAddr>,
    sip: &[(switchyard_sip::wire::Transport, SocketAddr)],
) {
    let source = if embedded { "the embedded default config" } else { "its config file" };
    println!("Switchyard {} is running on {source}.", env!("CARGO_PKG_VERSION"));
    println!("  data directory: {}", cfg.general.data_dir.display());
    println!("  console:        switchyard cli   (control socket {})", control.display());
    if let Some(addr) = metrics {
        println!("  metrics:        http://{addr}/metrics");
    }
    print_protocols(cfg);
    if !sip.is_empty() {
        let list: Vec<String> =
            sip.iter().map(|(t, a)| format!("{}:{a}", t.via_token().to_ascii_lowercase())).collect();
        println!("  SIP:            {}", list.join(", "));
    }
    if let Some(g) = generated {
        print_credentials(g);
    }
    println!("Stop with Ctrl-C (SIGINT) or SIGTERM.");
}

fn print_protocols(cfg: &Config) {
    if cfg.ami.enabled {
        println!("  AMI:            {}", cfg.ami.listen);
    }
    if cfg.esl.enabled {
        println!("  Event Socket:   {}", cfg.esl.listen);
    }
}

fn print_credentials(g: &GeneratedCredentials) {
    if !g.newly_created {
        println!("  credentials:    generated earlier, in {}", g.path.display());
        return;
    }
    println!("Generated credentials (shown once; saved with mode 0600 in {}):", g.path.display());
    if let Some(ami) = &g.ami {
        println!("  AMI username: {}", ami.username);
        println!("  AMI secret:   {}", ami.secret);
    }
    if let Some(pw) = &g.esl_password {
        println!("  ESL password: {pw}");
    }
}
