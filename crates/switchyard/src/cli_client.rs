//! `switchyard cli`: sends console commands to the running switch over its control socket.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;

use crate::control_proto::{SOCKET_NAME, read_reply};

/// Runs one command (`-x`) or an interactive session.
pub fn run(data_dir: &Path, execute: Option<&str>) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let path = data_dir.join(SOCKET_NAME);
        let stream = UnixStream::connect(&path)
            .await
            .with_context(|| format!("cannot connect to the switch at {} (is it running?)", path.display()))?;
        let mut conn = BufReader::new(stream);
        match execute {
            Some(line) => one_command(&mut conn, line).await,
            None => interactive(&mut conn).await,
        }
    })
}

async fn send(conn: &mut BufReader<UnixStream>, line: &str) -> anyhow::Result<(String, String)> {
    let line = line.replace(['\r', '\n'], " ");
    conn.get_mut().write_all(format!("{line}\n").as_bytes()).await?;
    Ok(read_reply(conn).await?)
}

async fn one_command(conn: &mut BufReader<UnixStream>, line: &str) -> anyhow::Result<ExitCode> {
    let (status, text) = send(conn, line).await?;
    print!("{text}");
    std::io::stdout().flush()?;
    Ok(if status == "ok" { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

async fn interactive(conn: &mut BufReader<UnixStream>) -> anyhow::Result<ExitCode> {
    let mut stdin = BufReader::new(tokio::io::stdin()).lines();
    loop {
        print!("switchyard> ");
        std::io::stdout().flush()?;
        let Some(line) = stdin.next_line().await? else { break };
        let line = line.trim();
        if matches!(line, "exit" | "quit") {
            break;
        }
        let (_, text) = send(conn, line).await?;
        print!("{text}");
    }
    println!();
    Ok(ExitCode::SUCCESS)
}
