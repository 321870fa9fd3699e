//! Switchyard dialplans: the IR and interpreter (apps, functions, expressions, hangup handlers,
//! Gosub), the `extensions.conf` front-end, AstDB and dialplan console commands, and `Local/`
//! channels. It plugs into the core through `DialplanEngine`, the app/tech/command registries; it
//! does not read the switch's config (the binary passes file paths) and owns no sockets.
#![forbid(unsafe_code)]

pub mod astconf;
pub mod error;
pub mod ir;
pub mod pattern;
pub mod template;

pub use error::DialplanError;
pub use ir::Dialplan;
