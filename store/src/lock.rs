//! The run lock: one crawl or index run at a time per store.
//!
//! It is an OS advisory lock (`flock` on Unix, `LockFileEx` on Windows) on a file beside the
//! database, `<db>.lock`. The OS releases it when its holder exits however it exits, so a
//! killed run never leaves a stale lock behind; the file itself stays and is reused. While
//! held, the file says who holds it, for the next run's error message.

use std::ffi::OsString;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};

use crate::StoreError;

/// Holding the run lock of a store; dropping it releases the lock.
#[derive(Debug)]
pub struct RunLock {
    file: File,
    path: PathBuf,
}

impl RunLock {
    /// Takes the run lock of the store at `db_path` without waiting. Fails with
    /// [`StoreError::Locked`], naming the holder's pid and start time, when another run holds
    /// it (also another `RunLock` in this process).
    pub fn acquire(db_path: impl AsRef<Path>) -> Result<RunLock, StoreError> {
        let db_path = db_path.as_ref();
        let path = lock_path(db_path);
        let file_error = |source| StoreError::LockFile {
            path: path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(file_error)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::Locked {
                    path: db_path.to_owned(),
                    holder: read_holder(&mut file),
                });
            }
            Err(TryLockError::Error(source)) => return Err(file_error(source)),
        }
        let holder = format!(
            "pid {} since {}\n",
            std::process::id(),
            Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
        );
        file.set_len(0)
            .and_then(|()| file.seek(SeekFrom::Start(0)))
            .and_then(|_| file.write_all(holder.as_bytes()))
            .and_then(|()| file.flush())
            .map_err(file_error)?;
        Ok(RunLock { file, path })
    }

    /// The lock file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        // Clear the holder first, so that nobody reads a released lock's holder as live; the
        // lock itself goes with the file handle even if either call fails.
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// `<db>.lock`, beside the database file.
fn lock_path(db_path: &Path) -> PathBuf {
    let mut name = OsString::from(db_path.as_os_str());
    name.push(".lock");
    PathBuf::from(name)
}

/// What the lock file says about its holder; a holder that has not written yet (it took the
/// lock a moment ago) is "holder unknown".
fn read_holder(file: &mut File) -> String {
    let mut text = String::new();
    let read = file
        .seek(SeekFrom::Start(0))
        .and_then(|_| file.take(200).read_to_string(&mut text));
    match read {
        Ok(_) if !text.trim().is_empty() => text.trim().to_owned(),
        _ => "holder unknown".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lock_file_sits_beside_the_database() {
        assert_eq!(
            lock_path(Path::new("data/vindwerk.db")),
            PathBuf::from("data/vindwerk.db.lock")
        );
    }
}
