//! One run of an application as `Execute`/`ExecuteComplete` events report it: both events share it,
//! and its id (ESL `Application-UUID`) is kept as 16 bytes, printed only when an event is rendered.

use std::cell::Cell;
use std::fmt;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::text::SharedStr;

/// An application execution (shared by `EventKind::Execute` and `EventKind::ExecuteComplete`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Execution {
    /// Application name.
    pub app: SharedStr,
    /// Its arguments.
    pub data: SharedStr,
    /// Id of this execution (ESL `Application-UUID`).
    pub app_uuid: AppUuid,
}

/// The id of one execution: a generated version-4 UUID, or the text a client chose (FreeSWITCH's
/// `app_uuid` variable, set by ESL `sendmsg` `Event-UUID`). Compare and print it as text.
#[derive(Clone, PartialEq, Eq)]
pub struct AppUuid(Repr);

#[derive(Clone, PartialEq, Eq)]
enum Repr {
    Generated([u8; 16]),
    Given(SharedStr),
}

impl AppUuid {
    /// A fresh version-4 UUID, made without asking the OS for randomness each time: a random base
    /// drawn once per process plus a counter, so ids never repeat within a run and differ between runs.
    /// Each thread takes the counter's values `BLOCK` at a time (one atomic operation per block, not
    /// per id: this runs at every dialplan application).
    pub fn fresh() -> Self {
        const BLOCK: u64 = 256;
        static BASE: OnceLock<u128> = OnceLock::new();
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        thread_local! {
            /// The next value of this thread's block and the end of the block.
            static NEXT: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
        }
        let base = *BASE.get_or_init(|| uuid::Uuid::new_v4().as_u128());
        let n = NEXT.with(|next| {
            let (mut n, mut end) = next.get();
            if n == end {
                n = COUNTER.fetch_add(BLOCK, Ordering::Relaxed);
                end = n + BLOCK;
            }
            next.set((n + 1, end));
            n
        });
        let bytes = base.wrapping_add(u128::from(n)).to_be_bytes();
        Self(Repr::Generated(*uuid::Builder::from_random_bytes(bytes).as_uuid().as_bytes()))
    }

    /// The id a client gave.
    pub fn given(text: impl Into<SharedStr>) -> Self {
        Self(Repr::Given(text.into()))
    }

    /// Calls `f` with the id's text (formatted on the stack for a generated one).
    pub fn with_str<R>(&self, f: impl FnOnce(&str) -> R) -> R {
        match &self.0 {
            Repr::Generated(bytes) => {
                let mut text = [0u8; uuid::fmt::Hyphenated::LENGTH];
                f(uuid::Uuid::from_bytes(*bytes).hyphenated().encode_lower(&mut text))
            }
            Repr::Given(text) => f(text),
        }
    }
}

impl fmt::Display for AppUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| f.write_str(s))
    }
}

impl fmt::Debug for AppUuid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.with_str(|s| fmt::Debug::fmt(s, f))
    }
}

impl PartialEq<str> for AppUuid {
    fn eq(&self, other: &str) -> bool {
        self.with_str(|s| s == other)
    }
}

impl PartialEq<&str> for AppUuid {
    fn eq(&self, other: &&str) -> bool {
        self == *other
    }
}

impl From<&str> for AppUuid {
    fn from(text: &str) -> Self {
        Self::given(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fresh_ids_are_distinct_version_4_uuids() {
        let (a, b) = (AppUuid::fresh().to_string(), AppUuid::fresh().to_string());
        assert_ne!(a, b);
        for id in [&a, &b] {
            let parsed = uuid::Uuid::parse_str(id).unwrap();
            assert_eq!((parsed.get_version_num(), id.len()), (4, 36));
            assert_eq!(*id, id.to_lowercase());
        }
        assert!(AppUuid::fresh() != AppUuid::fresh());
        // Ids made on other threads (each takes its own block of the counter) differ too.
        let mut ids: Vec<String> = (0..4)
            .map(|_| std::thread::spawn(|| (0..300).map(|_| AppUuid::fresh().to_string()).collect::<Vec<_>>()))
            .flat_map(|t| t.join().unwrap())
            .collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 1200);
    }

    #[test]
    fn a_given_id_reads_back_as_written() {
        let id = AppUuid::given("my-id");
        assert_eq!((id.to_string(), format!("{id:?}")), ("my-id".to_owned(), "\"my-id\"".to_owned()));
        assert!(id == "my-id" && id != "other");
        let fresh = AppUuid::fresh();
        assert!(fresh == fresh.to_string().as_str());
    }
}
