//! The control-socket protocol between `switchyard cli` and the running switch: a request is one
//! command line ending in `\n`; a reply is `<status> <length>\n` followed by that many bytes of output.
//! Status is `ok`, `usage`, `error` or `unknown`.

use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Longest accepted command line.
pub const MAX_LINE: usize = 64 * 1024;

/// The control socket's file name inside the data directory.
pub const SOCKET_NAME: &str = "switchyard.ctl";

/// Writes one reply.
pub async fn write_reply<W: AsyncWrite + Unpin>(w: &mut W, status: &str, text: &str) -> std::io::Result<()> {
    w.write_all(format!("{status} {}\n", text.len()).as_bytes()).await?;
    w.write_all(text.as_bytes()).await?;
    w.flush().await
}

/// Reads one reply: (status, text).
pub async fn read_reply<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<(String, String)> {
    let mut head = String::new();
    if r.read_line(&mut head).await? == 0 {
        return Err(std::io::Error::new(std::io::ErrorKind::UnexpectedEof, "the switch closed the connection"));
    }
    let bad = || std::io::Error::new(std::io::ErrorKind::InvalidData, format!("bad reply header {head:?}"));
    let (status, len) = head.trim_end().split_once(' ').ok_or_else(bad)?;
    let len: usize = len.parse().map_err(|_| bad())?;
    let mut body = vec![0; len];
    r.read_exact(&mut body).await?;
    Ok((status.to_owned(), String::from_utf8_lossy(&body).into_owned()))
}
