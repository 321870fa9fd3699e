//! The data directory: created with mode 0700 and locked so that two switches never share it.

use std::fs::{DirBuilder, File, OpenOptions};
use std::os::unix::fs::DirBuilderExt;
use std::path::Path;

use anyhow::{Context, bail};

/// Name of the lock file inside the data directory.
const LOCK_FILE: &str = "switchyard.lock";

/// Creates the directory if needed and takes its lock; the lock is held while the returned file lives.
pub fn prepare(dir: &Path) -> anyhow::Result<File> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let path = dir.join(LOCK_FILE);
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => {
            bail!("data directory {} is in use by another running switchyard", dir.display())
        }
        Err(std::fs::TryLockError::Error(e)) => Err(e).with_context(|| format!("cannot lock {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_lock_on_the_same_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _held = prepare(dir.path()).unwrap();
        let err = prepare(dir.path()).unwrap_err().to_string();
        assert!(err.contains("in use by another running switchyard"), "{err}");
    }
}
